// `writ verify --url`: a monitor of a served log; checks its checkpoint and consistency with the state it keeps, once or --follow.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkServedLog, type MonitorOptions, type MonitorOutcome } from '../../../ledger/log-monitor.ts';
import { createVerifier } from '../../../ledger/signed-note.ts';
import { parseWitnessPolicy, type WitnessPolicy } from '../../../ledger/witness-policy.ts';
import { AppError, isAppError } from '../../../shared/app-error.ts';
import { writeOut } from '../../cli-context.ts';
import type { VerifyOptions } from '../verify.ts';
import { createMonitorFetcher, logPrefix } from './monitor-fetcher.ts';
import { evidencePath, readMonitorState, writeFileAtomically, writeMonitorState } from './monitor-state-file.ts';

const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MS = 60_000;
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 24 * 3600 * 1000;
const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

interface MonitorSettings {
  readonly url: string;
  readonly prefix: URL;
  readonly monitor: MonitorOptions;
  readonly readToken: string | undefined;
  readonly statePath: string | undefined;
  readonly json: boolean;
}

/**
 * Parses an interval such as 30s, 5m, 1h or 500ms (at least 100 ms, at most a day).
 * @example parseInterval('5m') // 300000
 */
export function parseInterval(text: string): number {
  const match = /^([0-9]{1,9})(ms|s|m|h)$/.exec(text);
  const ms = match === null ? NaN : Number(match[1]) * (UNITS_MS[match[2] ?? ''] ?? NaN);
  if (!(ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS)) {
    throw new AppError('invalid_input', `--interval "${text.slice(0, 40)}" must be a duration from 100ms to 24h, such as 30s, 5m or 1h`);
  }
  return ms;
}

function readPolicy(path: string): WitnessPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError('invalid_input', `cannot read the witness policy file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
  return parseWitnessPolicy(text);
}

function settingsFrom(url: string, options: VerifyOptions): MonitorSettings {
  const verifiers = (options.vkey ?? []).map((key) => createVerifier(key));
  const policy = options.policy === undefined ? undefined : readPolicy(options.policy);
  if (verifiers.length === 0 && policy === undefined) throw new AppError('invalid_input', "--url needs the log's verifier key: --vkey <key> (or a witness policy: --policy <file>)");
  const readToken = options.readToken ?? process.env.WRIT_LOG_READ_TOKEN;
  const entries = options.entries === true;
  if (entries && (readToken === undefined || readToken === '')) throw new AppError('invalid_input', '--entries needs the log read token: --read-token <token> or WRIT_LOG_READ_TOKEN');
  if (options.interval !== undefined && options.follow !== true) throw new AppError('invalid_input', '--interval goes with --follow');
  return { url, prefix: logPrefix(url), monitor: { verifiers, policy, entries }, readToken, statePath: options.state, json: options.json === true };
}

type Verified = Extract<MonitorOutcome, { kind: 'verified' }>;
type Inconsistent = Extract<MonitorOutcome, { kind: 'inconsistent' }>;

function b64(hash: Uint8Array): string {
  return Buffer.from(hash).toString('base64');
}

function describeVerified(outcome: Verified, previousSize: number | undefined, statePath: string | undefined): string {
  const { checkpoint } = outcome;
  const head = `OK ${checkpoint.origin} size ${checkpoint.size}`;
  const how =
    statePath === undefined
      ? 'checkpoint verified (no --state: consistency with earlier checkpoints not checked)'
      : outcome.consistency === 'first-use'
        ? `trusted on first use, stored in ${statePath}`
        : outcome.consistency === 'unchanged'
          ? 'unchanged'
          : `consistent with size ${previousSize ?? 0}`;
  const extras = [
    ...(outcome.entriesChecked > 0 || outcome.state.entriesVerified?.size === checkpoint.size ? [`${outcome.entriesChecked} entries re-hashed`] : []),
    ...(outcome.entriesRemoved > 0 ? [`${outcome.entriesRemoved} in entry bundles the log's retention emptied (checked by their leaf hashes only)`] : []),
    ...(outcome.cosigners.length > 0 ? [`cosigned by ${outcome.cosigners.join(', ')}`] : []),
  ];
  return `${head} root ${b64(checkpoint.rootHash)}: ${[how, ...extras].join('; ')}`;
}

async function report(settings: MonitorSettings, line: Record<string, unknown>, text: string): Promise<void> {
  await writeOut(settings.json ? `${JSON.stringify(line)}\n` : `${String(line.time)} ${text}\n`);
}

async function reportInconsistency(settings: MonitorSettings, outcome: Inconsistent, time: string): Promise<never> {
  const file = settings.statePath === undefined ? undefined : evidencePath(settings.statePath, time);
  const evidence =
    `writ monitor evidence: ${outcome.problem}\n${outcome.message}\nurl: ${settings.url}\ntime: ${time}\n\n` +
    (outcome.stored === undefined ? '' : `checkpoint verified earlier:\n${outcome.stored}\n`) +
    `checkpoint served now:\n${outcome.presented}`;
  if (file !== undefined) writeFileAtomically(file, evidence);
  const line = { time, ok: false, problem: outcome.problem, message: outcome.message, stored: outcome.stored ?? null, presented: outcome.presented, evidenceFile: file ?? null };
  const text =
    `INCONSISTENT (${outcome.problem}): ${outcome.message}\n` +
    (file === undefined ? '' : `evidence written to ${file}\n`) +
    (outcome.stored === undefined ? '' : `--- checkpoint verified earlier ---\n${outcome.stored}`) +
    `--- checkpoint served now ---\n${outcome.presented}`;
  await report(settings, line, text.replace(/\n$/, ''));
  throw new AppError('ledger_inconsistent', `${outcome.message} (both checkpoints printed above)`);
}

/** One check: read the state, check the served log against it, store the new state or report the evidence. */
async function checkOnce(settings: MonitorSettings): Promise<void> {
  const started = performance.now();
  const stored = settings.statePath === undefined ? undefined : readMonitorState(settings.statePath);
  const controller = new AbortController();
  const fetcher = createMonitorFetcher({ prefix: settings.prefix, readToken: settings.readToken, timeoutMs: REQUEST_TIMEOUT_MS, signal: controller.signal });
  let outcome: MonitorOutcome;
  try {
    outcome = await checkServedLog(stored?.state, fetcher, settings.monitor);
  } finally {
    controller.abort();
  }
  const time = new Date().toISOString();
  if (outcome.kind === 'inconsistent') return reportInconsistency(settings, outcome, time);
  if (settings.statePath !== undefined) writeMonitorState(settings.statePath, { state: outcome.state, url: settings.url, checkedAt: time, cosigners: outcome.cosigners });
  const seconds = (performance.now() - started) / 1000;
  const previousSize = stored?.state.size;
  const line = {
    time,
    ok: true,
    origin: outcome.checkpoint.origin,
    size: outcome.checkpoint.size,
    rootHash: b64(outcome.checkpoint.rootHash),
    previousSize: previousSize ?? null,
    consistency: settings.statePath === undefined ? 'not-checked' : outcome.consistency,
    entriesChecked: outcome.entriesChecked,
    entriesRemoved: outcome.entriesRemoved,
    entriesVerifiedSize: outcome.state.entriesVerified?.size ?? null,
    cosigners: outcome.cosigners,
    tilesFetched: outcome.tilesFetched,
    seconds,
  };
  await report(settings, line, describeVerified(outcome, previousSize, settings.statePath));
}

/** Checks on an interval until an inconsistency (or another error that a retry cannot mend); network trouble is reported and retried. */
async function follow(settings: MonitorSettings, intervalMs: number): Promise<never> {
  for (;;) {
    try {
      await checkOnce(settings);
    } catch (error) {
      if (!isAppError(error, 'unavailable')) throw error;
      const time = new Date().toISOString();
      await report(settings, { time, ok: false, error: error.code, message: error.message }, `UNAVAILABLE ${error.message}; next check in ${intervalMs / 1000} s`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Monitors the log served at `url`: once, or with --follow on an interval. Exits non-zero (ledger_inconsistent) on a
 * rollback, a fork or any other inconsistency, with both checkpoints printed (and written beside --state).
 */
export async function monitorCommand(url: string, options: VerifyOptions): Promise<void> {
  const settings = settingsFrom(url, options);
  if (options.follow !== true) {
    await checkOnce(settings);
    return;
  }
  await follow(settings, options.interval === undefined ? DEFAULT_INTERVAL_MS : parseInterval(options.interval));
}
