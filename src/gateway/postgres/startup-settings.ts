// The settings a client's StartupMessage asks for, judged: harmless ones go to the server, pinned ones must keep their value, the rest are refused.
import { isPinnedSetting, isPinnedValue, normalizedEncoding, PINNED_SETTINGS } from './pinned-settings.ts';
import { isHarmlessSetting } from './read-only-settings.ts';

/*
 * PostgreSQL treats every startup parameter but user, database, replication and options as a setting, and `options`
 * as command-line switches (`-c name=value`, `--name=value`). Writ applies the same reading: each setting a level may
 * change with SET (read-only-settings.ts) is passed on, so a driver's statement_timeout holds; client_encoding and
 * standard_conforming_strings may only be asked for with the value Writ pins; anything else is refused with a FATAL
 * that names it, never dropped silently.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE
 */

export type StartupSettings =
  | { readonly kind: 'accepted'; readonly parameters: Readonly<Record<string, string>> }
  | { readonly kind: 'refused'; readonly sqlState: string; readonly message: string; readonly hint?: string };

/** Parameters that are not settings: the session's identity (handled by Writ) and protocol extensions. */
const NOT_SETTINGS = new Set(['user', 'database']);

/** libpq sends `client_encoding=auto` resolved from the locale; in the C locale that is SQL_ASCII, read exactly as UTF8 by a UTF8 server's lexer. */
const ENCODINGS_READ_AS_UTF8 = new Set(['utf8', 'unicode', 'sqlascii']);

/**
 * Splits `options` as the server does (pg_split_opts): on whitespace, a backslash keeps the next character.
 * @example splitOptions('-c search_path=a\\ b -c x=1') // ['-c', 'search_path=a b', '-c', 'x=1']
 */
export function splitOptions(options: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let index = 0; index < options.length; index += 1) {
    const char = options[index] ?? '';
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === '\\' && index + 1 < options.length) {
      index += 1;
      word += options[index] ?? '';
    } else word += char;
  }
  if (inWord) words.push(word);
  return words;
}

type Pairs = { readonly kind: 'pairs'; readonly pairs: readonly (readonly [string, string])[] } | { readonly kind: 'refused'; readonly message: string };

/** `-c name=value`, `-cname=value` and `--name=value` (dashes in the name read as underscores, as the server does). */
function optionPairs(options: string): Pairs {
  const pairs: [string, string][] = [];
  const words = splitOptions(options);
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    let assignment: string | undefined;
    if (word === '-c') {
      index += 1;
      assignment = words[index];
    } else if (word.startsWith('-c')) assignment = word.slice(2);
    else if (word.startsWith('--')) assignment = word.slice(2);
    const equals = assignment?.indexOf('=') ?? -1;
    if (assignment === undefined || equals <= 0) {
      return { kind: 'refused', message: `Writ passes only "-c name=value" settings in options, not ${JSON.stringify(word.slice(0, 64))}` };
    }
    pairs.push([assignment.slice(0, equals).replaceAll('-', '_'), assignment.slice(equals + 1)]);
  }
  return { kind: 'pairs', pairs };
}

function refusedSetting(name: string, value: string): StartupSettings | undefined {
  const lower = name.toLowerCase();
  // Protocol options (`_pq_.`) are negotiated in the StartupMessage itself, never set through options.
  if (lower.startsWith('_pq_.') || NOT_SETTINGS.has(lower) || lower === 'replication' || lower === 'options') {
    return { kind: 'refused', sqlState: '42501', message: `Writ does not pass ${JSON.stringify(name.slice(0, 64))} as a setting: it is not one a session may change` };
  }
  if (lower === 'client_encoding') {
    if (ENCODINGS_READ_AS_UTF8.has(normalizedEncoding(value))) return undefined;
    return {
      kind: 'refused',
      sqlState: '22023',
      message: `Writ accepts only client_encoding UTF8, not ${JSON.stringify(value.slice(0, 64))}: in another encoding the database could read a statement differently from Writ`,
      hint: 'set PGCLIENTENCODING=UTF8, or client_encoding=UTF8 in the connection settings',
    };
  }
  if (isPinnedSetting(lower)) {
    if (isPinnedValue(lower, value)) return undefined;
    return { kind: 'refused', sqlState: '22023', message: `Writ keeps ${lower} at ${PINNED_SETTINGS[lower] ?? ''} so that the database reads every statement as Writ does; the connection asked for ${JSON.stringify(value.slice(0, 64))}` };
  }
  if (isHarmlessSetting(lower)) return undefined;
  return {
    kind: 'refused',
    sqlState: '42501',
    message: `Writ does not pass the startup setting ${JSON.stringify(name.slice(0, 64))} to the database: only settings a session may change with SET (such as application_name, search_path or statement_timeout) are allowed`,
  };
}

/**
 * Judges a client's startup parameters and gives what to send upstream: the accepted settings plus Writ's own
 * (pinned settings, and read-only as the session default for a read-only level).
 * @example startupSettings(new Map([['user', 'alice'], ['statement_timeout', '5s']]), { readOnly: true })
 *   // { kind: 'accepted', parameters: { statement_timeout: '5s', client_encoding: 'UTF8', standard_conforming_strings: 'on', options: '-c default_transaction_read_only=on' } }
 */
export function startupSettings(client: ReadonlyMap<string, string>, level: { readonly readOnly: boolean }): StartupSettings {
  const accepted = new Map<string, [string, string]>();
  const take = (name: string, value: string): StartupSettings | undefined => {
    const refused = refusedSetting(name, value);
    if (refused !== undefined) return refused;
    accepted.set(name.toLowerCase(), [name, value]);
    return undefined;
  };
  for (const [name, value] of client) {
    if (NOT_SETTINGS.has(name) || name.startsWith('_pq_.')) continue;
    if (name === 'replication') return { kind: 'refused', sqlState: '08P01', message: 'replication connections are not available through Writ' };
    if (name === 'options') {
      const pairs = optionPairs(value);
      if (pairs.kind === 'refused') return { kind: 'refused', sqlState: '42501', message: pairs.message };
      for (const [optionName, optionValue] of pairs.pairs) {
        const refused = take(optionName, optionValue);
        if (refused !== undefined) return refused;
      }
      continue;
    }
    const refused = take(name, value);
    if (refused !== undefined) return refused;
  }
  const parameters: Record<string, string> = {};
  for (const [name, value] of accepted.values()) if (!isPinnedSetting(name.toLowerCase())) parameters[name] = value;
  for (const [name, value] of Object.entries(PINNED_SETTINGS)) parameters[name] = value;
  // In options, as the server's own command line: the session default a later SET would have to override in sight of Writ.
  if (level.readOnly) parameters.options = '-c default_transaction_read_only=on';
  return { kind: 'accepted', parameters };
}
