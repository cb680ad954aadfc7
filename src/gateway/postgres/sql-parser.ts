// PostgreSQL's own parser (libpg-query, WebAssembly), kept sound: an instance that fails outside a syntax error is never used again.
import { createRequire } from 'node:module';
import type * as LibPgQuery from 'libpg-query';
import type { RawStmt } from 'libpg-query';

/*
 * Why instances are replaced: a statement nested deeply enough (`SELECT 1 + 1 + ... + 1`, some thousands of terms)
 * overflows the JavaScript stack inside the WebAssembly code. The RangeError unwinds past the C code without
 * restoring its stack pointer, so every such statement leaks part of the module's stack until the instance corrupts
 * its own memory (about thirty are enough). An instance that threw anything but a PostgreSQL syntax error is
 * therefore retired and a spare, loaded ahead of time, takes its place. libpg-query keeps one instance per loaded
 * copy of its CommonJS entry point, so a fresh copy is a fresh instance.
 */

type ParserInstance = Pick<typeof LibPgQuery, 'loadModule' | 'parseSync'>;

/** What the parser made of a query string: its raw statements, or PostgreSQL's error message. */
export type SqlParse = { readonly kind: 'parsed'; readonly statements: readonly RawStmt[] } | { readonly kind: 'failed'; readonly message: string };

const requireCommonJs = createRequire(import.meta.url);
const ENTRY_POINT = requireCommonJs.resolve('libpg-query');

let active: ParserInstance | undefined;
let spare: ParserInstance | undefined;
let loading: Promise<void> | undefined;
let refilling = false;

async function loadInstance(): Promise<ParserInstance> {
  Reflect.deleteProperty(requireCommonJs.cache, ENTRY_POINT);
  const instance = requireCommonJs(ENTRY_POINT) as ParserInstance;
  Reflect.deleteProperty(requireCommonJs.cache, ENTRY_POINT);
  await instance.loadModule();
  return instance;
}

/**
 * Loads the parser and a spare; resolves at once when they are loaded. Safe to call again after a failure.
 * @example await loadSqlParser(); parseSql('SELECT 1').kind // 'parsed'
 */
export function loadSqlParser(): Promise<void> {
  if (active !== undefined) return Promise.resolve();
  loading ??= Promise.all([loadInstance(), loadInstance()]).then(
    ([first, second]) => {
      active = first;
      spare = second;
      loading = undefined;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

function refill(): void {
  if (refilling) return;
  refilling = true;
  loadInstance().then(
    (instance) => {
      refilling = false;
      if (active === undefined) active = instance;
      else spare = instance;
      if (spare === undefined) refill();
    },
    () => {
      // Without an instance every statement fails to parse, which refuses it; loadSqlParser() may be called again.
      refilling = false;
    },
  );
}

function retireActive(): void {
  active = spare;
  spare = undefined;
  refill();
}

function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && error.name === 'SqlError';
}

/**
 * Parses `sql` (not empty, no NUL characters: the caller checks) with the active instance.
 * @example parseSql('SELECT 1; SELECT 2') // { kind: 'parsed', statements: [{ stmt: { SelectStmt: ... } }, ...] }
 */
export function parseSql(sql: string): SqlParse {
  const instance = active;
  if (instance === undefined) {
    return { kind: 'failed', message: refilling ? 'the statement parser is restarting after a statement it could not take; try again' : 'the statement parser is not loaded' };
  }
  try {
    return { kind: 'parsed', statements: instance.parseSync(sql).stmts ?? [] };
  } catch (error) {
    if (isSyntaxError(error)) return { kind: 'failed', message: (error as Error).message };
    if (active === instance) retireActive();
    return { kind: 'failed', message: 'the statement is nested too deeply to inspect' };
  }
}
