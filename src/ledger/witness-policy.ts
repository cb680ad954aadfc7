// C2SP tlog-policy: which logs sign, which witnesses cosign, and the quorum of cosignatures a checkpoint needs.
import { AppError } from '../shared/app-error.ts';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { parseCosignatureVerifierKey, verifyCosignature, type CosignatureVerifier } from './cosignature.ts';
import { createVerifier, openNote, splitSignedNote, type NoteVerifier } from './signed-note.ts';

export interface PolicyLog {
  readonly verifierKey: string;
  readonly verifier: NoteVerifier;
  readonly url: string | undefined;
}

export interface PolicyWitness {
  readonly name: string;
  /** The witness's cosignature/v1 verifier key (type 0x04). */
  readonly verifierKey: string;
  readonly verifier: CosignatureVerifier;
  /** Where its add-checkpoint endpoint lives (`<url>/add-checkpoint`); absent in a policy used only to verify. */
  readonly url: string | undefined;
}

/** A quorum: no cosignature needed, one witness, or at least `threshold` of a group's members. */
export type QuorumRule =
  | { readonly kind: 'none' }
  | { readonly kind: 'witness'; readonly name: string }
  | { readonly kind: 'group'; readonly name: string; readonly threshold: number; readonly members: readonly QuorumRule[] };

export interface WitnessPolicy {
  readonly logs: readonly PolicyLog[];
  readonly witnesses: readonly PolicyWitness[];
  readonly quorum: QuorumRule;
  /** The policy file as given, to publish and to put in evidence bundles. */
  readonly text: string;
}

/** What a checkpoint satisfied: its parsed body, the witnesses whose cosignatures verified, and their times. */
export interface PolicyCheck {
  readonly checkpoint: Checkpoint;
  /** The note text (without signature lines). */
  readonly text: string;
  readonly cosigners: readonly string[];
  readonly cosignedAtSeconds: ReadonlyMap<string, number>;
}

const MAX_POLICY_BYTES = 64 * 1024;
const MAX_ENTITIES = 256;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:]{0,127}$/;

function lineError(lineNumber: number, why: string): AppError {
  return new AppError('invalid_input', `witness policy line ${lineNumber}: ${why}`);
}

function parseUrl(text: string | undefined, lineNumber: number): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw lineError(lineNumber, `"${text.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw lineError(lineNumber, `the URL "${text.slice(0, 200)}" must be http or https`);
  if (url.username !== '' || url.password !== '') throw lineError(lineNumber, 'the URL must not carry credentials');
  return text.replace(/\/+$/, '');
}

interface ParseState {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  rules: Map<string, QuorumRule>;
  quorum: QuorumRule | undefined;
}

function defineName(state: ParseState, name: string, lineNumber: number): void {
  if (!NAME.test(name)) throw lineError(lineNumber, `"${name.slice(0, 200)}" is not a valid witness or group name`);
  if (name === 'none') throw lineError(lineNumber, '"none" is a reserved name');
  if (state.rules.has(name)) throw lineError(lineNumber, `"${name}" is defined twice`);
  if (state.rules.size >= MAX_ENTITIES) throw lineError(lineNumber, `a policy may define at most ${MAX_ENTITIES} witnesses and groups`);
}

function parseThreshold(word: string, memberCount: number, lineNumber: number): number {
  if (word === 'all') return memberCount;
  if (word === 'any') return 1;
  if (!/^[1-9][0-9]{0,3}$/.test(word)) throw lineError(lineNumber, `the threshold "${word.slice(0, 20)}" must be "all", "any" or a positive number`);
  const threshold = Number(word);
  if (threshold > memberCount) throw lineError(lineNumber, `the threshold ${threshold} is more than the group's ${memberCount} members`);
  return threshold;
}

function parseLine(state: ParseState, words: readonly string[], lineNumber: number): void {
  const [keyword, ...args] = words;
  const withKey = (what: string, key: string, parse: () => unknown): void => {
    try {
      parse();
    } catch (cause) {
      throw lineError(lineNumber, `${what} "${key.slice(0, 200)}" is not valid: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  };
  switch (keyword) {
    case 'log': {
      if (args.length < 1 || args.length > 2) throw lineError(lineNumber, 'expected "log <verifier key> [<url>]"');
      const key = args[0] ?? '';
      let verifier: NoteVerifier | undefined;
      withKey('the log verifier key', key, () => (verifier = createVerifier(key)));
      if (verifier === undefined) throw lineError(lineNumber, 'the log verifier key did not parse');
      state.logs.push({ verifierKey: key, verifier, url: parseUrl(args[1], lineNumber) });
      return;
    }
    case 'witness': {
      if (args.length < 2 || args.length > 3) throw lineError(lineNumber, 'expected "witness <name> <verifier key> [<url>]"');
      const [name = '', key = ''] = args;
      defineName(state, name, lineNumber);
      let verifier: CosignatureVerifier | undefined;
      withKey('the witness verifier key', key, () => (verifier = parseCosignatureVerifierKey(key)));
      if (verifier === undefined) throw lineError(lineNumber, 'the witness verifier key did not parse');
      if (state.witnesses.some((w) => w.verifierKey === key)) throw lineError(lineNumber, `the key of witness "${name}" is listed twice`);
      state.witnesses.push({ name, verifierKey: key, verifier, url: parseUrl(args[2], lineNumber) });
      state.rules.set(name, { kind: 'witness', name });
      return;
    }
    case 'group': {
      if (args.length < 3) throw lineError(lineNumber, 'expected "group <name> <all|any|number> <member>..."');
      const [name = '', thresholdWord = '', ...memberNames] = args;
      defineName(state, name, lineNumber);
      if (new Set(memberNames).size !== memberNames.length) throw lineError(lineNumber, `group "${name}" lists a member twice`);
      const members = memberNames.map((m) => {
        const rule = state.rules.get(m);
        if (rule === undefined) throw lineError(lineNumber, `group "${name}" names "${m.slice(0, 200)}", which is not defined above it`);
        return rule;
      });
      state.rules.set(name, { kind: 'group', name, threshold: parseThreshold(thresholdWord, members.length, lineNumber), members });
      return;
    }
    case 'quorum': {
      if (args.length !== 1) throw lineError(lineNumber, 'expected "quorum <name>" or "quorum none"');
      if (state.quorum !== undefined) throw lineError(lineNumber, 'the quorum is given twice');
      const name = args[0] ?? '';
      const rule = name === 'none' ? ({ kind: 'none' } as const) : state.rules.get(name);
      if (rule === undefined) throw lineError(lineNumber, `the quorum names "${name.slice(0, 200)}", which is not defined above it`);
      state.quorum = rule;
      return;
    }
    default:
      throw lineError(lineNumber, `unknown keyword "${(keyword ?? '').slice(0, 40)}" (expected log, witness, group or quorum)`);
  }
}

/**
 * Parses a policy: `log <vkey> [<url>]`, `witness <name> <vkey> [<url>]`, `group <name> <all|any|k> <member>...`,
 * `quorum <name|none>`; `#` starts a comment. Names are defined before use, so groups cannot form cycles.
 * @example parseWitnessPolicy(`log ${logKey}\nwitness w1 ${witnessKey} http://127.0.0.1:7080\nquorum w1\n`).witnesses[0].name // 'w1'
 */
export function parseWitnessPolicy(text: string): WitnessPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw new AppError('invalid_input', `the witness policy is larger than ${MAX_POLICY_BYTES} bytes`);
  const state: ParseState = { logs: [], witnesses: [], rules: new Map(), quorum: undefined };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line !== '') parseLine(state, line.split(/[ \t]+/), i + 1);
  });
  if (state.logs.length === 0) throw new AppError('invalid_input', 'the witness policy names no log: add a "log <verifier key>" line');
  if (state.quorum === undefined) throw new AppError('invalid_input', 'the witness policy has no quorum: add a "quorum <name>" or "quorum none" line');
  return { logs: state.logs, witnesses: state.witnesses, quorum: state.quorum, text };
}

/**
 * True when the witnesses named in `cosigned` satisfy the rule.
 * @example quorumMet({ kind: 'group', name: 'g', threshold: 1, members: [{ kind: 'witness', name: 'w1' }] }, new Set(['w1'])) // true
 */
export function quorumMet(rule: QuorumRule, cosigned: ReadonlySet<string>): boolean {
  switch (rule.kind) {
    case 'none':
      return true;
    case 'witness':
      return cosigned.has(rule.name);
    case 'group':
      return rule.members.filter((m) => quorumMet(m, cosigned)).length >= rule.threshold;
  }
}

/** Describes the quorum in words, for messages: "2 of {w1, w2, w3}". */
export function describeQuorum(rule: QuorumRule): string {
  switch (rule.kind) {
    case 'none':
      return 'no cosignature';
    case 'witness':
      return rule.name;
    case 'group':
      return `${rule.threshold} of {${rule.members.map(describeQuorum).join(', ')}}`;
  }
}

/**
 * Checks every cosignature line of the policy's witnesses on a note whose text is `text`; returns the verified ones.
 * Lines of unknown keys are ignored; a bad line from a witness of the policy fails, as a bad known signature does.
 */
export function verifiedCosignatures(note: string, text: string, witnesses: readonly PolicyWitness[]): Map<string, { line: string; timeSeconds: number }> {
  const found = new Map<string, { line: string; timeSeconds: number }>();
  for (const line of splitSignedNote(note).lines) {
    // A cosignature line names the witness key (its verifier key's name), not the policy's local name.
    for (const witness of witnesses.filter((w) => line.startsWith(`\u2014 ${w.verifier.name} `))) {
      const check = verifyCosignature(witness.verifier, text, line);
      if (!check.ok && check.reason.startsWith('key ID')) continue;
      if (!check.ok) throw new AppError('ledger_inconsistent', `the cosignature of witness "${witness.name}" does not verify: ${check.reason}`);
      if (found.has(witness.name)) throw new AppError('ledger_inconsistent', `the checkpoint carries two cosignatures of witness "${witness.name}"`);
      found.set(witness.name, { line, timeSeconds: check.timeSeconds });
    }
  }
  return found;
}

/**
 * Checks a checkpoint note against a policy: signed by one of its logs, and cosigned by a quorum of its witnesses.
 * Throws AppError naming what is missing; returns the checkpoint and the witnesses that cosigned it.
 * @example checkCheckpointWithPolicy(note, policy).cosigners // ['w1', 'w2']
 */
export function checkCheckpointWithPolicy(note: string, policy: WitnessPolicy): PolicyCheck {
  const opened = openNote(note, policy.logs.map((l) => l.verifier));
  const checkpoint = parseCheckpoint(opened.text);
  if (!opened.verifiedBy.some((v) => v.name === checkpoint.origin)) {
    throw new AppError('ledger_inconsistent', `the checkpoint's origin "${checkpoint.origin.slice(0, 200)}" is not the name of the log key that signed it`);
  }
  const cosignatures = verifiedCosignatures(note, opened.text, policy.witnesses);
  const cosigners = [...cosignatures.keys()];
  if (!quorumMet(policy.quorum, new Set(cosigners))) {
    const have = cosigners.length === 0 ? 'none' : cosigners.join(', ');
    throw new AppError(
      'ledger_inconsistent',
      `the checkpoint of size ${checkpoint.size} lacks the witness quorum: it needs ${describeQuorum(policy.quorum)}, and is cosigned by ${have}`,
    );
  }
  const cosignedAtSeconds = new Map([...cosignatures].map(([name, c]) => [name, c.timeSeconds]));
  return { checkpoint, text: opened.text, cosigners, cosignedAtSeconds };
}

/**
 * Adds cosignature lines (each `— <name> <base64>`, with or without a newline) to a signed note, after its signatures.
 * @example withCosignatures(note, [cosignCheckpoint(cosigner, text, now)])
 */
export function withCosignatures(note: string, lines: readonly string[]): string {
  splitSignedNote(note);
  return note + lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
}
