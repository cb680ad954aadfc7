// The settings that change how PostgreSQL lexes a statement, pinned for every session so the server reads text as Writ's parser does.
import { isRecord } from './statement-facts.ts';
import type { SettingFacts } from './statement-details.ts';
import type { InspectedStatement, SqlInspection } from './statement-inspector.ts';

/*
 * libpg-query lexes as a UTF8 server with standard_conforming_strings on. A session that changed either could send
 * text that Writ reads as one harmless SELECT while the server reads several statements (ADR 0014): with
 * standard_conforming_strings off a backslash escapes a quote in a plain string; in a client encoding such as SJIS
 * a multi-byte character swallows the backslash that follows it. So Writ sets both at startup, refuses every way of
 * changing them (SET, SET LOCAL, SET NAMES, RESET, RESET ALL, DISCARD ALL, set_config, ALTER ROLE/DATABASE/SYSTEM
 * ... SET), and ends the session if the server ever reports another value (session-guard.ts).
 */

/** The value each pinned setting must keep, as the server reports it in ParameterStatus. */
export const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  client_encoding: 'UTF8',
  standard_conforming_strings: 'on',
};

/** The rule a refused change is recorded under. */
export const PINNED_SETTING_RULE = 'pinned-setting';

const TRUE_WORDS = new Set(['on', 'true', 'yes', '1', 't', 'y', 'tr', 'tru', 'ye']);

/**
 * PostgreSQL's own normalisation of an encoding name: letters and digits only, lower-cased (`UTF-8` is `utf8`).
 * @example normalizedEncoding('UTF-8') // 'utf8'
 */
export function normalizedEncoding(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether `value` for setting `name` is the pinned value (any spelling PostgreSQL takes for it). */
export function isPinnedValue(name: string, value: string): boolean {
  const trimmed = value.trim().toLowerCase();
  if (name === 'client_encoding') return ['utf8', 'unicode'].includes(normalizedEncoding(trimmed));
  if (name === 'standard_conforming_strings') return TRUE_WORDS.has(trimmed);
  return false;
}

/**
 * Whether `name` (lower-cased) is pinned.
 * @example isPinnedSetting('standard_conforming_strings') // true
 */
export function isPinnedSetting(name: string): boolean {
  return Object.hasOwn(PINNED_SETTINGS, name);
}

/**
 * Whether this SET sets a pinned setting to the very value Writ pins: it changes nothing (drivers send
 * `SET NAMES 'UTF8'`), so every level allows it.
 * @example setsPinnedValue(settingFacts(parsed("SET client_encoding = 'utf-8'"))) // true
 */
export function setsPinnedValue(setting: SettingFacts): boolean {
  const [value, ...rest] = setting.values;
  return isPinnedSetting(setting.name) && setting.action === 'set' && value !== undefined && rest.length === 0 && isPinnedValue(setting.name, value);
}

function changeRefusal(setting: SettingFacts): string | undefined {
  if (setting.action === 'reset-all') return 'RESET ALL: it would reset the settings Writ pins for this session (client_encoding, standard_conforming_strings)';
  if (!isPinnedSetting(setting.name) || setsPinnedValue(setting)) return undefined;
  return `changing ${setting.name}: Writ keeps it at ${PINNED_SETTINGS[setting.name] ?? ''} so that the database reads every statement as Writ does`;
}

function configCallRefusal(name: string | undefined): string | undefined {
  if (name === undefined) return 'set_config with a setting name that is not a constant: Writ must see which setting it changes';
  return isPinnedSetting(name) ? `set_config('${name}', ...): Writ keeps ${name} at ${PINNED_SETTINGS[name] ?? ''} so that the database reads every statement as Writ does` : undefined;
}

function isDiscardAll(statement: InspectedStatement): boolean {
  const body = isRecord(statement.tree) ? statement.tree['DiscardStmt'] : undefined;
  return isRecord(body) && body['target'] === 'DISCARD_ALL';
}

function statementRefusal(statement: InspectedStatement): string | undefined {
  if (statement.node === 'DiscardStmt' && isDiscardAll(statement)) return 'DISCARD ALL: it would reset the settings Writ pins for this session';
  for (const change of statement.settingChanges) {
    const why = changeRefusal(change);
    if (why !== undefined) return why;
  }
  for (const name of statement.configCalls) {
    const why = configCallRefusal(name);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Why a query string would change a pinned setting, on any level; undefined when it would not.
 * @example pinnedSettingRefusal(inspectSql('SET standard_conforming_strings = off')) // 'changing standard_conforming_strings: ...'
 * @example pinnedSettingRefusal(inspectSql("SET client_encoding = 'UTF8'")) // undefined
 */
export function pinnedSettingRefusal(inspection: SqlInspection): string | undefined {
  if (inspection.kind !== 'parsed') return undefined;
  for (const [index, statement] of inspection.statements.entries()) {
    const why = statementRefusal(statement);
    if (why === undefined) continue;
    const position = inspection.statements.length > 1 ? ` (statement ${index + 1} of ${inspection.statements.length})` : '';
    return `Writ refuses ${why}${position}`;
  }
  return undefined;
}
