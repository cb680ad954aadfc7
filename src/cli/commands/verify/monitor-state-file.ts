// The monitor's state file (the last checkpoint verified, verbatim) and evidence files: JSON checked on reading, written atomically with mode 0600.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseCheckpoint } from '../../../ledger/checkpoint.ts';
import { hashesEqual, HASH_SIZE } from '../../../ledger/hash.ts';
import type { MonitorState, VerifiedTree } from '../../../ledger/log-monitor.ts';
import { decodeBase64Strict, splitSignedNote } from '../../../ledger/signed-note.ts';
import { AppError } from '../../../shared/app-error.ts';

export const MONITOR_STATE_FORMAT = 'writ-monitor-state/v1';
const MAX_STATE_BYTES = 1024 * 1024;

const base64Hash = z.string().max(64);
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const stateSchema = z
  .object({
    format: z.literal(MONITOR_STATE_FORMAT),
    url: z.string().max(4096),
    origin: z.string().min(1).max(1024),
    size,
    rootHash: base64Hash,
    checkpoint: z.string().min(1).max(64 * 1024),
    entriesVerified: z.object({ size, rootHash: base64Hash }).strict().nullable(),
    cosigners: z.array(z.string().max(256)).max(256),
    checkedAt: z.string().max(64),
  })
  .strict();

/** What the file says beside the state: where it was read and when. */
export interface StoredMonitorState {
  readonly state: MonitorState;
  readonly url: string;
  readonly checkedAt: string;
}

function corrupt(path: string, why: string): AppError {
  return new AppError(
    'config_invalid',
    `the monitor state file ${path} is corrupt (${why}); it was left as it is: restore it, or move it away to trust the log afresh`,
  );
}

function decodeHash(text: string, path: string, what: string): Uint8Array {
  const hash = decodeBase64Strict(text);
  if (hash?.length !== HASH_SIZE) throw corrupt(path, `${what} is not base64 of ${HASH_SIZE} bytes`);
  return hash;
}

function decodeTree(tree: { size: number; rootHash: string }, path: string, what: string): VerifiedTree {
  return { size: tree.size, rootHash: decodeHash(tree.rootHash, path, what) };
}

/** The checkpoint note's own text must say what the JSON fields say. */
function checkNote(state: MonitorState, path: string): void {
  let text: string;
  try {
    text = splitSignedNote(state.note).text;
  } catch (error) {
    throw corrupt(path, error instanceof Error ? error.message : 'its checkpoint is not a signed note');
  }
  let parsed;
  try {
    parsed = parseCheckpoint(text);
  } catch (error) {
    throw corrupt(path, error instanceof Error ? error.message : 'its checkpoint does not parse');
  }
  if (parsed.origin !== state.origin || parsed.size !== state.size || !hashesEqual(parsed.rootHash, state.rootHash)) {
    throw corrupt(path, 'its checkpoint note does not say the origin, size and root hash beside it');
  }
}

/**
 * Reads the state file, or undefined when there is none yet (first use). A file that exists but is not a whole,
 * coherent state is an error (never a silent restart, which would forget what the log signed).
 * @example const stored = readMonitorState('monitor.json') // undefined on first use
 */
export function readMonitorState(path: string): StoredMonitorState | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).size > MAX_STATE_BYTES) throw corrupt(path, `it is larger than ${MAX_STATE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw corrupt(path, 'it is not JSON');
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(path, `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`);
  }
  const file = parsed.data;
  const tree = decodeTree(file, path, 'rootHash');
  const entriesVerified = file.entriesVerified === null ? undefined : decodeTree(file.entriesVerified, path, 'entriesVerified.rootHash');
  if (entriesVerified !== undefined && entriesVerified.size > tree.size) throw corrupt(path, 'entriesVerified.size is beyond size');
  const state: MonitorState = { origin: file.origin, ...tree, note: file.checkpoint, entriesVerified };
  checkNote(state, path);
  return { state, url: file.url, checkedAt: file.checkedAt };
}

/**
 * Writes `text` to `path` atomically: a temporary file beside it (mode 0600), fsync, rename, fsync of the directory.
 * @example writeFileAtomically('monitor.json', '{…}')
 */
export function writeFileAtomically(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  }
}

/** Stores the state after a successful check. */
export function writeMonitorState(path: string, stored: StoredMonitorState & { readonly cosigners: readonly string[] }): void {
  const { state } = stored;
  const b64 = (hash: Uint8Array): string => Buffer.from(hash).toString('base64');
  const file: z.infer<typeof stateSchema> = {
    format: MONITOR_STATE_FORMAT,
    url: stored.url,
    origin: state.origin,
    size: state.size,
    rootHash: b64(state.rootHash),
    checkpoint: state.note,
    entriesVerified: state.entriesVerified === undefined ? null : { size: state.entriesVerified.size, rootHash: b64(state.entriesVerified.rootHash) },
    cosigners: [...stored.cosigners],
    checkedAt: stored.checkedAt,
  };
  writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** Where the evidence of a problem found at `checkedAt` goes: beside the state file. */
export function evidencePath(statePath: string, checkedAt: string): string {
  return `${statePath}.evidence-${checkedAt.replace(/[:.]/g, '-')}.txt`;
}
