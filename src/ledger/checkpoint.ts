// C2SP tlog-checkpoint: the note text naming a log's origin, tree size and root hash.
import { AppError } from '../shared/app-error.ts';
import { HASH_SIZE } from './hash.ts';
import type { Hash } from './hash.ts';
import { containsControlCharacter, decodeBase64Strict } from './signed-note.ts';

/** A log's signed statement of its tree: `origin` is also the log's key name. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Hash;
  extensions: string[];
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/** Why `line` cannot be a checkpoint line, or undefined when it can. */
function lineProblem(line: string): string | undefined {
  if (line.length === 0) return 'is empty';
  if (containsControlCharacter(line)) return 'contains a newline or control character';
  if (/\p{Cs}/u.test(line)) return 'is not valid Unicode';
  return undefined;
}

function checkLine(what: string, line: string): void {
  const problem = lineProblem(line);
  if (problem !== undefined) throw new AppError('invalid_input', `checkpoint ${what} "${line.slice(0, 100)}" ${problem}`);
}

/**
 * Parses a decimal with no sign and no leading zeros, up to Number.MAX_SAFE_INTEGER; undefined otherwise.
 * @example parseDecimal('1000') // 1000; parseDecimal('01') → undefined
 */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Formats a checkpoint as note text: origin, decimal size, base64 root, extension lines, each ending in "\n".
 * @example formatCheckpoint({ origin: 'audit.example.com/writ', size: 3, rootHash, extensions: [] })
 */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine('origin', c.origin);
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new AppError('invalid_input', `checkpoint size ${c.size} is not a non-negative safe integer`);
  if (c.rootHash.length !== HASH_SIZE) throw new AppError('invalid_input', `checkpoint root hash has ${c.rootHash.length} bytes, not ${HASH_SIZE}`);
  c.extensions.forEach((line) => {
    checkLine('extension line', line);
  });
  const lines = [c.origin, String(c.size), Buffer.from(c.rootHash).toString('base64'), ...c.extensions];
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * Parses checkpoint note text strictly (no leading zeros, a 32-byte root, non-empty lines, final newline).
 * @example parseCheckpoint(openNote(note, verifiers).text).size
 */
export function parseCheckpoint(text: string): Checkpoint {
  const bad = (why: string): AppError => new AppError('invalid_input', `checkpoint is malformed: ${why}`);
  if (!text.endsWith('\n')) throw bad('it does not end with a newline');
  const [origin = '', sizeText = '', rootText = '', ...extensions] = text.slice(0, -1).split('\n');
  if (lineProblem(origin) !== undefined) throw bad('the first line (origin) is empty or has control characters');
  const size = parseDecimal(sizeText);
  if (size === undefined) throw bad(`the size "${sizeText.slice(0, 30)}" is not a decimal without leading zeros up to 2^53-1`);
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash?.length !== HASH_SIZE) throw bad(`the root hash "${rootText.slice(0, 60)}" is not base64 of ${HASH_SIZE} bytes`);
  extensions.forEach((line, i) => {
    if (lineProblem(line) !== undefined) throw bad(`extension line ${i + 1} is empty or has control characters`);
  });
  return { origin, size, rootHash, extensions };
}
