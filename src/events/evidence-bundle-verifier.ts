// Verifies an evidence bundle offline, over its files as plain bytes: checkpoint, witness quorum, every proof, leaf and personal value.
import { createHash } from 'node:crypto';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.ts';
import { leafHash } from '../ledger/hash.ts';
import { verifyInclusion } from '../ledger/proof-verify.ts';
import { parseReceipt } from '../ledger/receipt.ts';
import { createVerifier, decodeBase64Strict, openNote, type NoteVerifier } from '../ledger/signed-note.ts';
import { checkCheckpointWithPolicy, parseWitnessPolicy } from '../ledger/witness-policy.ts';
import { isAppError } from '../shared/app-error.ts';
import { isPlainObject } from './bounded-json.ts';
import {
  BUNDLE_FORMAT,
  bundleFiles,
  bundleEntryLineSchema,
  bundleManifestSchema,
  bundleRemovedLineSchema,
  chunkNumberOf,
  ENTRIES_PER_CHUNK,
  formatManifest,
  MAX_BUNDLE_ENTRIES,
  type BundleEntryLine,
  type BundleLine,
  type BundleManifest,
  type BundleRemovedLine,
  type PersonalCounts,
} from './evidence-bundle-format.ts';
import { isFiltered, matchesSelection, type StoredFields } from './evidence-bundle-selection.ts';
import { isPersonalCommitment, SALT_BYTES } from './personal-commitment.ts';

export interface BundleProblem {
  /** The log index of the entry concerned, when there is one. */
  readonly index?: number;
  readonly file?: string;
  readonly message: string;
}

export interface BundleTrust {
  /** Verifier keys obtained independently (`--vkey`); when absent the bundle's own `keys/log.vkey` is used, with a warning. */
  readonly verifierKeys?: readonly string[] | undefined;
  /** A C2SP tlog-policy obtained independently (`--policy`); it replaces the bundle's `witness-policy`. */
  readonly policyText?: string | undefined;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly keySource: 'given' | 'bundle';
  readonly verifierKeys: readonly string[];
  readonly policySource: 'given' | 'bundle' | 'none';
  readonly checkpoint: { readonly origin: string; readonly size: number; readonly rootHash: string } | undefined;
  readonly cosigners: readonly string[];
  readonly entriesChecked: number;
  /** Of them, entries whose content retention removed (only their leaf hash was proven). */
  readonly removed: number;
  readonly personal: PersonalCounts;
  readonly redacted: boolean | undefined;
  readonly problems: readonly BundleProblem[];
  /** Problems beyond the first MAX_PROBLEMS, counted but not listed. */
  readonly moreProblems: number;
  readonly warnings: readonly string[];
}

const MAX_PROBLEMS = 1000;
const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Collects problems, listing the first MAX_PROBLEMS. */
interface Findings {
  problems: BundleProblem[];
  more: number;
  warnings: string[];
  add(problem: BundleProblem): void;
}

function createFindings(): Findings {
  const findings: Findings = {
    problems: [],
    more: 0,
    warnings: [],
    add(problem) {
      if (findings.problems.length < MAX_PROBLEMS) findings.problems.push(problem);
      else findings.more += 1;
    },
  };
  return findings;
}

function messageOf(error: unknown): string {
  return isAppError(error) || error instanceof Error ? error.message : String(error);
}

function textOf(files: ReadonlyMap<string, Uint8Array>, name: string, findings: Findings): string | undefined {
  const bytes = files.get(name);
  if (bytes === undefined) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    findings.add({ file: name, message: `${name} is not UTF-8 text` });
    return undefined;
  }
}

/** The keys to trust: the given ones, else the bundle's own (with a loud warning). */
function trustedKeys(files: ReadonlyMap<string, Uint8Array>, trust: BundleTrust, findings: Findings): { source: 'given' | 'bundle'; keys: string[] } {
  const bundled = textOf(files, bundleFiles.logKey, findings)?.trim();
  if (trust.verifierKeys !== undefined && trust.verifierKeys.length > 0) {
    if (bundled !== undefined && !trust.verifierKeys.includes(bundled)) {
      findings.warnings.push(`the bundle names ${bundled.slice(0, 200)} as the log's key, not a key given with --vkey`);
    }
    return { source: 'given', keys: [...trust.verifierKeys] };
  }
  if (bundled === undefined) {
    findings.add({ file: bundleFiles.logKey, message: `${bundleFiles.logKey} is missing and no --vkey was given: there is no key to check the checkpoint with` });
    return { source: 'bundle', keys: [] };
  }
  findings.warnings.push(
    `the log's verifier key ${bundled.slice(0, 200)} was taken from the bundle itself: anyone who can change the bundle can change it. ` +
      'Compare it with the key published by the log operator, or pass that key with --vkey.',
  );
  return { source: 'bundle', keys: [bundled] };
}

function verifiersOf(keys: readonly string[], findings: Findings): NoteVerifier[] {
  return keys.flatMap((key) => {
    try {
      return [createVerifier(key)];
    } catch (error) {
      findings.add({ message: `verifier key "${key.slice(0, 200)}" is not usable: ${messageOf(error)}` });
      return [];
    }
  });
}

/** Opens the checkpoint with the trusted keys and, when there is a policy, checks its witness quorum. */
function checkCheckpoint(
  note: string,
  verifiers: NoteVerifier[],
  policy: { source: 'given' | 'bundle'; text: string } | undefined,
  findings: Findings,
): { checkpoint: Checkpoint; cosigners: readonly string[] } | undefined {
  let checkpoint: Checkpoint;
  try {
    const opened = openNote(note, verifiers);
    checkpoint = parseCheckpoint(opened.text);
    if (!opened.verifiedBy.some((v) => v.name === checkpoint.origin)) {
      findings.add({ file: bundleFiles.checkpoint, message: `the checkpoint's origin "${checkpoint.origin.slice(0, 200)}" is not the name of the key that signed it` });
      return undefined;
    }
  } catch (error) {
    findings.add({ file: bundleFiles.checkpoint, message: `the checkpoint does not verify with the trusted key: ${messageOf(error)}` });
    return undefined;
  }
  if (policy === undefined) return { checkpoint, cosigners: [] };
  try {
    const checked = checkCheckpointWithPolicy(note, parseWitnessPolicy(policy.text));
    return { checkpoint, cosigners: checked.cosigners };
  } catch (error) {
    const where = policy.source === 'given' ? 'the --policy file' : `the bundle's ${bundleFiles.witnessPolicy}`;
    findings.add({ file: bundleFiles.checkpoint, message: `the checkpoint does not satisfy ${where}: ${messageOf(error)}` });
    return undefined;
  }
}

function readManifest(files: ReadonlyMap<string, Uint8Array>, findings: Findings): BundleManifest | undefined {
  const text = textOf(files, bundleFiles.manifest, findings);
  if (text === undefined) return undefined;
  const bad = (why: string): void => {
    findings.add({ file: bundleFiles.manifest, message: `${bundleFiles.manifest} ${why}` });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    bad('is not JSON');
    return undefined;
  }
  const result = bundleManifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    bad(`is not a ${BUNDLE_FORMAT} manifest: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(top)'}: ${issue.message}`}`);
    return undefined;
  }
  if (formatManifest(result.data) !== text) {
    bad('is not in its canonical form (RFC 8785 JSON and one newline): it was edited');
    return undefined;
  }
  return result.data;
}

/** The entries files in order, checking their numbers run 0, 1, 2, … and that no other file is present. */
function listFiles(files: ReadonlyMap<string, Uint8Array>, findings: Findings): string[] {
  const known = new Set<string>(Object.values(bundleFiles));
  const chunks: { n: number; name: string }[] = [];
  for (const name of files.keys()) {
    const n = chunkNumberOf(name);
    if (n !== undefined) chunks.push({ n, name });
    else if (!known.has(name)) findings.add({ file: name, message: `unexpected file "${name.slice(0, 200)}" in the bundle` });
  }
  chunks.sort((a, b) => a.n - b.n);
  chunks.forEach((chunk, i) => {
    if (chunk.n !== i) findings.add({ file: chunk.name, message: `entries files must be numbered from 000000 without gaps; ${chunk.name} is file ${i + 1}` });
  });
  for (const name of [bundleFiles.readme, bundleFiles.manifest, bundleFiles.checkpoint]) {
    if (!files.has(name)) findings.add({ file: name, message: `${name} is missing` });
  }
  return chunks.map((c) => c.name);
}

interface EntryContext {
  readonly checkpoint: Checkpoint;
  readonly note: string;
  readonly manifest: BundleManifest | undefined;
  readonly findings: Findings;
  readonly personal: { -readonly [K in keyof PersonalCounts]: number };
  removed: number;
}

function parseLine(text: string, file: string, lineNumber: number, findings: Findings): BundleLine | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    findings.add({ file, message: `${file} line ${lineNumber} is not JSON` });
    return undefined;
  }
  const removed = isPlainObject(parsed) && 'removed' in parsed;
  const result = removed ? bundleRemovedLineSchema.safeParse(parsed) : bundleEntryLineSchema.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const index = isPlainObject(parsed) && typeof parsed.index === 'number' ? { index: parsed.index } : {};
  findings.add({ ...index, file, message: `${file} line ${lineNumber} is not an entry line: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}` });
  return undefined;
}

function checkPersonal(line: BundleEntryLine, stored: StoredFields, context: EntryContext): string | undefined {
  const commitment = stored.personalCommitment;
  context.personal[line.personal.kind] += 1;
  switch (line.personal.kind) {
    case 'none':
      return commitment === undefined ? undefined : 'the entry commits to a personal part, but the bundle says it has none';
    case 'erased':
    case 'redacted':
      if (line.personal.kind === 'redacted' && context.manifest?.redacted === false) return 'the personal part is marked redacted in a bundle that is not redacted';
      return commitment === undefined ? `the personal part is marked ${line.personal.kind}, but the entry holds no commitment` : undefined;
    case 'included': {
      if (context.manifest?.redacted === true) return 'a redacted bundle carries a personal value';
      if (commitment === undefined) return 'the bundle carries a personal value, but the entry holds no commitment to one';
      const salt = decodeBase64Strict(line.personal.salt);
      if (salt?.length !== SALT_BYTES) return `the personal salt is not base64 of ${SALT_BYTES} bytes`;
      return isPersonalCommitment(commitment, salt, encoder.encode(line.personal.value))
        ? undefined
        : 'the personal value and salt do not match the commitment in the entry (the value was changed)';
    }
  }
}

/** Checks a receipt: for this index, against the bundle's checkpoint, placing `leaf` under its root; a problem, or undefined. */
function receiptProblem(index: number, receiptText: string, leaf: Uint8Array, context: EntryContext): string | undefined {
  const { checkpoint } = context;
  if (index >= checkpoint.size) return `the index is outside the checkpoint's tree of ${checkpoint.size} entries`;
  let receipt;
  try {
    receipt = parseReceipt(receiptText);
  } catch (error) {
    return messageOf(error);
  }
  if (receipt.index !== index) return `the receipt is for index ${receipt.index}, not ${index}`;
  if (receipt.checkpointNote !== context.note) return "the receipt's checkpoint is not the bundle's checkpoint";
  if (!verifyInclusion(leaf, index, checkpoint.size, receipt.proof, checkpoint.rootHash)) {
    return `the inclusion proof does not place this entry at index ${index} of the checkpoint (the entry or the proof was changed)`;
  }
  return undefined;
}

/** Why an entry line fails, or undefined when it holds. */
function entryLineProblem(line: BundleEntryLine, context: EntryContext): string | undefined {
  let stored: StoredFields;
  try {
    const parsed: unknown = JSON.parse(line.entry);
    if (!isPlainObject(parsed)) return 'the entry is not a JSON object';
    stored = parsed;
  } catch {
    return 'the entry is not JSON';
  }
  if (stored.id !== line.eventId) return `the entry's id is not the line's eventId ${line.eventId}`;
  const proofProblem = receiptProblem(line.index, line.receipt, leafHash(encoder.encode(line.entry)), context);
  if (proofProblem !== undefined) return proofProblem;
  const personalProblem = checkPersonal(line, stored, context);
  if (personalProblem !== undefined) return personalProblem;
  const outside = context.manifest === undefined ? undefined : matchesSelection(line.index, stored, context.manifest.selection);
  return outside === undefined ? undefined : `the entry is outside the bundle's selection: ${outside}`;
}

/** Why the line of a removed entry fails, or undefined: its leaf hash must be proven, and only whole ranges hold removed entries. */
function removedLineProblem(line: BundleRemovedLine, context: EntryContext): string | undefined {
  context.removed += 1;
  const leaf = decodeBase64Strict(line.leafHash);
  if (leaf?.length !== 32) return 'the leaf hash of the removed entry is not base64 of 32 bytes';
  const proofProblem = receiptProblem(line.index, line.receipt, leaf, context);
  if (proofProblem !== undefined) return proofProblem;
  const selection = context.manifest?.selection;
  if (selection !== undefined && isFiltered(selection)) return 'a filtered bundle cannot list entries whose content was removed';
  return selection === undefined ? undefined : matchesSelection(line.index, {}, selection);
}

/** Checks one line; reports its problem. */
function checkLine(line: BundleLine, context: EntryContext): void {
  const problem = 'removed' in line ? removedLineProblem(line, context) : entryLineProblem(line, context);
  if (problem !== undefined) context.findings.add({ index: line.index, message: problem });
}

/** Reads the lines of the entries files in order, checking order, file sizes and the entry limit; returns how many lines it read. */
function checkEntries(files: ReadonlyMap<string, Uint8Array>, chunks: readonly string[], context: EntryContext): number {
  const { findings } = context;
  let count = 0;
  let previous = -1;
  chunks.forEach((file, chunkIndex) => {
    const text = textOf(files, file, findings);
    if (text === undefined) return;
    if (!text.endsWith('\n')) findings.add({ file, message: `${file} does not end with a newline` });
    const lines = text.slice(0, -1).split('\n');
    const last = chunkIndex === chunks.length - 1;
    if (lines.length > ENTRIES_PER_CHUNK || (!last && lines.length !== ENTRIES_PER_CHUNK)) {
      findings.add({ file, message: `${file} holds ${lines.length} lines; every entries file holds ${ENTRIES_PER_CHUNK} but the last, which holds 1 to ${ENTRIES_PER_CHUNK}` });
    }
    lines.forEach((lineText, i) => {
      count += 1;
      if (count > MAX_BUNDLE_ENTRIES) {
        if (count === MAX_BUNDLE_ENTRIES + 1) findings.add({ file, message: `the bundle holds more than ${MAX_BUNDLE_ENTRIES} entries` });
        return;
      }
      const line = parseLine(lineText, file, i + 1, findings);
      if (line === undefined) return;
      if (line.index <= previous) findings.add({ index: line.index, file, message: `entries must be in increasing index order; ${line.index} follows ${previous}` });
      previous = Math.max(previous, line.index);
      checkLine(line, context);
    });
  });
  return count;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the manifest says against what the bundle holds. */
function checkManifest(files: ReadonlyMap<string, Uint8Array>, manifest: BundleManifest, checked: { checkpoint: Checkpoint; count: number; removed: number; chunks: number; personal: PersonalCounts }, findings: Findings): void {
  const bad = (message: string): void => {
    findings.add({ file: bundleFiles.manifest, message: `${bundleFiles.manifest} ${message}` });
  };
  const { checkpoint } = checked;
  const root = Buffer.from(checkpoint.rootHash).toString('base64');
  if (manifest.origin !== checkpoint.origin) bad(`names origin "${manifest.origin}", the checkpoint "${checkpoint.origin}"`);
  if (manifest.checkpoint.size !== checkpoint.size || manifest.checkpoint.rootHash !== root) bad(`names checkpoint size ${manifest.checkpoint.size}, the checkpoint is size ${checkpoint.size} with another root`);
  if (manifest.entryCount !== checked.count) bad(`says ${manifest.entryCount} entries, the bundle holds ${checked.count}`);
  if (manifest.removedCount !== checked.removed) bad(`says ${manifest.removedCount} entries were removed by retention, the bundle holds ${checked.removed}`);
  if (manifest.chunkCount !== checked.chunks) bad(`says ${manifest.chunkCount} entries files, the bundle holds ${checked.chunks}`);
  for (const kind of ['included', 'erased', 'redacted', 'none'] as const) {
    if (manifest.personal[kind] !== checked.personal[kind]) bad(`says ${manifest.personal[kind]} entries with personal part ${kind}, the bundle holds ${checked.personal[kind]}`);
  }
  if (manifest.witnessPolicy !== files.has(bundleFiles.witnessPolicy)) bad(`says the witness policy is ${manifest.witnessPolicy ? '' : 'not '}included, and it is ${manifest.witnessPolicy ? 'not' : ''}`.replace(/ +$/, ''));
  const readme = files.get(bundleFiles.readme);
  if (readme !== undefined && sha256Hex(readme) !== manifest.readmeSha256) bad(`does not match ${bundleFiles.readme} (its SHA-256 differs): the README was changed`);
  const s = manifest.selection;
  if (s.toIndex > checkpoint.size || s.fromIndex > s.toIndex) bad(`selects indices ${s.fromIndex} to ${s.toIndex}, not inside the checkpoint's ${checkpoint.size} entries`);
  const filtered = isFiltered(s);
  // Without filters the selection is a whole index range: every entry in it must be present.
  if (!filtered && s.toIndex <= checkpoint.size && checked.count !== s.toIndex - s.fromIndex) {
    bad(`selects every entry from index ${s.fromIndex} to ${s.toIndex} (exclusive), but the bundle holds ${checked.count} of the ${s.toIndex - s.fromIndex}`);
  }
}

/**
 * Verifies a bundle's files (name → bytes) with nothing else: the checkpoint's signature by a trusted key and its witness
 * quorum when a policy applies, each entry's leaf hash and inclusion proof against that one checkpoint, each personal value
 * against its commitment, the manifest against what the bundle holds, and that no file is missing or unexpected.
 * @example verifyEvidenceBundle(files, { verifierKeys: [logKey] }).ok // true
 */
export function verifyEvidenceBundle(files: ReadonlyMap<string, Uint8Array>, trust: BundleTrust = {}): BundleReport {
  const findings = createFindings();
  const chunks = listFiles(files, findings);
  const keys = trustedKeys(files, trust, findings);
  const bundledPolicy = textOf(files, bundleFiles.witnessPolicy, findings);
  const policy = trust.policyText !== undefined ? { source: 'given' as const, text: trust.policyText } : bundledPolicy === undefined ? undefined : { source: 'bundle' as const, text: bundledPolicy };
  if (policy?.source === 'bundle') {
    findings.warnings.push("the witness policy was taken from the bundle itself: compare it with the log operator's published policy, or pass that policy with --policy");
  }
  const manifest = readManifest(files, findings);
  const note = textOf(files, bundleFiles.checkpoint, findings);
  const verifiers = verifiersOf(keys.keys, findings);
  const opened = note === undefined || verifiers.length === 0 ? undefined : checkCheckpoint(note, verifiers, policy, findings);
  const personal = { included: 0, erased: 0, redacted: 0, none: 0 };
  let entriesChecked = 0;
  let removed = 0;
  if (opened !== undefined && note !== undefined) {
    const context: EntryContext = { checkpoint: opened.checkpoint, note, manifest, findings, personal, removed: 0 };
    entriesChecked = checkEntries(files, chunks, context);
    removed = context.removed;
    if (manifest !== undefined) checkManifest(files, manifest, { checkpoint: opened.checkpoint, count: entriesChecked, removed, chunks: chunks.length, personal }, findings);
  }
  const checkpoint = opened === undefined ? undefined : { origin: opened.checkpoint.origin, size: opened.checkpoint.size, rootHash: Buffer.from(opened.checkpoint.rootHash).toString('base64') };
  return {
    ok: findings.problems.length === 0 && opened !== undefined,
    keySource: keys.source,
    verifierKeys: keys.keys,
    policySource: policy?.source ?? 'none',
    checkpoint,
    cosigners: opened?.cosigners ?? [],
    entriesChecked,
    removed,
    personal,
    redacted: manifest?.redacted,
    problems: findings.problems,
    moreProblems: findings.more,
    warnings: findings.warnings,
  };
}
