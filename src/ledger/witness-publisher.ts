// Publication under a witness policy: submits each new signed checkpoint to the witnesses (C2SP tlog-witness) and
// publishes it once a quorum has cosigned it. A witness that is down delays publication, never appends.
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { parseDecimal } from './checkpoint.ts';
import { verifyCosignature } from './cosignature.ts';
import type { LedgerStore, StoredCheckpoint } from './ledger-store.ts';
import { consistencyProof } from './log-reader.ts';
import { splitSignedNote } from './signed-note.ts';
import type { TileCache } from './tiles.ts';
import { describeQuorum, quorumMet, withCosignatures, type PolicyWitness, type WitnessPolicy } from './witness-policy.ts';

/** One add-checkpoint answer, as received. */
export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The HTTP side, outside the core: POST `<url>/add-checkpoint`; rejects on a network failure or timeout. */
export interface WitnessClient {
  addCheckpoint(witnessUrl: string, body: string): Promise<WitnessAnswer>;
}

export interface WitnessStatus {
  readonly name: string;
  readonly url: string;
  /** The tree size the witness last told us it holds (from a cosignature or a 409). */
  readonly knownSize: number | undefined;
  readonly lastCosignedSize: number | undefined;
  readonly lastCosignedAtMs: number | undefined;
  readonly lastAttemptAtMs: number | undefined;
  readonly lastError: string | undefined;
  readonly consecutiveFailures: number;
  readonly requests: number;
  readonly failures: number;
  /** Sum of the request durations, for a mean (metrics). */
  readonly requestSecondsTotal: number;
}

export interface PublicationStatus {
  readonly quorum: string;
  readonly signedSize: number;
  readonly publishedSize: number;
  /** When the oldest signed checkpoint not yet published was signed; undefined when all are published. */
  readonly unpublishedSinceMs: number | undefined;
  readonly witnesses: readonly WitnessStatus[];
}

export interface WitnessPublisherDeps {
  readonly store: LedgerStore;
  readonly policy: WitnessPolicy;
  readonly client: WitnessClient;
  readonly clock: Clock;
  readonly tileCache?: TileCache;
  readonly onError: (message: string, error?: unknown) => void;
  /** Retry delays after a round that did not reach the quorum: doubling from `minMs` to `maxMs`. */
  readonly retry?: { readonly minMs: number; readonly maxMs: number };
  /** How often an idle publisher looks for checkpoints signed by another process (default 2 s). */
  readonly idlePollMs?: number;
}

export interface WitnessPublisher {
  /** A new checkpoint was signed: submit it soon. */
  notify(): void;
  /** Runs one round now (after any running one); resolves with whether the newest checkpoint is published. */
  publishNow(): Promise<boolean>;
  status(): PublicationStatus;
  stop(): Promise<void>;
}

type MutableWitnessStatus = { -readonly [K in keyof WitnessStatus]: WitnessStatus[K] };

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The add-checkpoint body: `old <size>`, the consistency proof in base64 lines, a blank line, the signed note. */
export function addCheckpointBody(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  return `old ${oldSize}${proof.map((hash) => `\n${base64(hash)}`).join('')}\n\n${note}`;
}

/** Picks the witness's verified cosignature line out of a 200 answer (one or more signature lines). */
function cosignatureIn(answer: WitnessAnswer, witness: PolicyWitness, text: string): string {
  const reasons: string[] = [];
  for (const line of answer.body.split('\n')) {
    if (line === '') continue;
    const check = verifyCosignature(witness.verifier, text, line);
    if (check.ok) return line;
    reasons.push(check.reason);
  }
  throw new AppError('ledger_inconsistent', `witness ${witness.name} answered 200 without a valid cosignature (${reasons[0] ?? 'empty body'})`);
}

function refusalText(answer: WitnessAnswer): string {
  return `witness answered ${answer.status}: ${answer.body.slice(0, 300).trim()}`;
}

/**
 * Starts the publisher; the caller calls notify() after each integration (the sequencer loop's onIntegrated).
 * @example const publisher = startWitnessPublisher({ store, policy, client, clock, onError }); publisher.notify();
 */
export function startWitnessPublisher(deps: WitnessPublisherDeps): WitnessPublisher {
  const retry = deps.retry ?? { minMs: 1000, maxMs: 60_000 };
  const witnesses = deps.policy.witnesses.filter((w): w is PolicyWitness & { url: string } => w.url !== undefined);
  const states = new Map<string, MutableWitnessStatus>(
    witnesses.map((w) => [w.name, { name: w.name, url: w.url, knownSize: undefined, lastCosignedSize: undefined, lastCosignedAtMs: undefined, lastAttemptAtMs: undefined, lastError: undefined, consecutiveFailures: 0, requests: 0, failures: 0, requestSecondsTotal: 0 }]),
  );
  /** Cosignature lines of the checkpoint being published, by witness name (reset when the size changes). */
  let collecting: { size: number; lines: Map<string, string>; publishedLines: number } = { size: -1, lines: new Map(), publishedLines: 0 };
  let signedSize = 0;
  let publishedSize = 0;
  let unpublishedSinceMs: number | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delayMs = retry.minMs;

  const request = async (witness: PolicyWitness & { url: string }, state: MutableWitnessStatus, checkpoint: StoredCheckpoint, text: string): Promise<string> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const oldSize = state.knownSize ?? 0;
      if (oldSize > checkpoint.size) {
        throw new AppError('ledger_inconsistent', `witness ${witness.name} holds size ${oldSize}, larger than this log's ${checkpoint.size}: it has seen another tree`);
      }
      const proof = oldSize === 0 || oldSize === checkpoint.size ? [] : await consistencyProof(deps.store, oldSize, checkpoint.size, deps.tileCache);
      const started = performance.now();
      state.requests++;
      state.lastAttemptAtMs = deps.clock.nowMs();
      const answer = await deps.client.addCheckpoint(witness.url, addCheckpointBody(oldSize, proof, checkpoint.note)).finally(() => {
        state.requestSecondsTotal += (performance.now() - started) / 1000;
      });
      if (answer.status === 200) {
        state.knownSize = checkpoint.size;
        return cosignatureIn(answer, witness, text);
      }
      const held = answer.status === 409 && answer.contentType.startsWith('text/x.tlog.size') ? parseDecimal(answer.body.trim()) : undefined;
      if (held === undefined) throw new AppError('unavailable', refusalText(answer));
      // The witness holds another size than we thought: prove from there.
      state.knownSize = held;
    }
    throw new AppError('unavailable', `witness ${witness.name} kept answering 409 (it holds size ${state.knownSize ?? 0})`);
  };

  const cosign = async (witness: PolicyWitness & { url: string }, checkpoint: StoredCheckpoint, text: string): Promise<void> => {
    const state = states.get(witness.name);
    if (state === undefined || collecting.lines.has(witness.name)) return;
    try {
      const line = await request(witness, state, checkpoint, text);
      collecting.lines.set(witness.name, line);
      state.lastCosignedSize = checkpoint.size;
      state.lastCosignedAtMs = deps.clock.nowMs();
      state.lastError = undefined;
      state.consecutiveFailures = 0;
    } catch (error) {
      state.failures++;
      state.consecutiveFailures++;
      state.lastError = error instanceof Error ? error.message : String(error);
      deps.onError(`witness ${witness.name} did not cosign size ${checkpoint.size}: ${state.lastError}`, error);
    }
  };

  const round = async (): Promise<boolean> => {
    const [checkpoint, published] = await Promise.all([deps.store.latestCheckpoint(), deps.store.latestPublishedCheckpoint()]);
    publishedSize = published?.size ?? 0;
    if (checkpoint === undefined) return true;
    signedSize = checkpoint.size;
    if (published !== undefined && published.size >= checkpoint.size && collecting.size === checkpoint.size && collecting.lines.size === witnesses.length) {
      unpublishedSinceMs = undefined;
      return true;
    }
    if (collecting.size !== checkpoint.size) collecting = { size: checkpoint.size, lines: new Map(), publishedLines: 0 };
    if (published === undefined || published.size < checkpoint.size) unpublishedSinceMs ??= checkpoint.createdAtMs;
    const text = splitSignedNote(checkpoint.note).text;
    await Promise.all(witnesses.map((w) => cosign(w, checkpoint, text)));
    if (!quorumMet(deps.policy.quorum, new Set(collecting.lines.keys()))) {
      deps.onError(`checkpoint ${checkpoint.size} is not published: it needs ${describeQuorum(deps.policy.quorum)}, and has ${[...collecting.lines.keys()].join(', ') || 'no cosignature'}`);
      return false;
    }
    if (collecting.lines.size > collecting.publishedLines) {
      const cosigned = { ...checkpoint, note: withCosignatures(checkpoint.note, [...collecting.lines.values()]) };
      if (await deps.store.publishCheckpoint(cosigned, deps.clock.nowMs())) publishedSize = Math.max(publishedSize, checkpoint.size);
      collecting.publishedLines = collecting.lines.size;
    }
    unpublishedSinceMs = undefined;
    // Witnesses that did not answer are asked again later, to add their cosignatures.
    return collecting.lines.size === witnesses.length;
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, ms);
  };

  const run = (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running.then(() => run());
    }
    again = false;
    running = round()
      .catch((error: unknown) => {
        deps.onError('witness publication failed', error);
        return false;
      })
      .then((complete) => {
        delayMs = complete ? retry.minMs : Math.min(delayMs * 2, retry.maxMs);
        return complete;
      })
      .finally(() => {
        running = undefined;
        if (again) schedule(0);
        else if (signedSize > publishedSize || states.size > collecting.lines.size) schedule(delayMs);
        else schedule(deps.idlePollMs ?? 2000);
      });
    return running;
  };

  schedule(0);
  return {
    notify: () => {
      if (running !== undefined) again = true;
      else schedule(0);
    },
    publishNow: () => run().then(async () => (await deps.store.latestPublishedCheckpoint())?.size === (await deps.store.latestCheckpoint())?.size),
    status: () => ({
      quorum: describeQuorum(deps.policy.quorum),
      signedSize,
      publishedSize,
      unpublishedSinceMs,
      witnesses: [...states.values()].map((s) => ({ ...s })),
    }),
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (running !== undefined) await running;
    },
  };
}
