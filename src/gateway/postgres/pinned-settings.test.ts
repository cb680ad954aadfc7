// Every form of changing a lexing setting is found, wherever it sits in the statement; the pinned value itself is allowed.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { isPinnedValue, pinnedSettingRefusal } from './pinned-settings.ts';
import { inspectSql, loadStatementParser } from './statement-inspector.ts';

before(async () => {
  await loadStatementParser();
});

test('SET, SET LOCAL, SET NAMES, RESET, RESET ALL, DISCARD ALL, set_config and ALTER ... SET of a pinned setting are refused', () => {
  for (const sql of [
    'SET standard_conforming_strings = off',
    'set Standard_Conforming_Strings to false',
    'SET LOCAL standard_conforming_strings = 0',
    "SET SESSION client_encoding = 'SJIS'",
    "SET NAMES 'BIG5'",
    'SET client_encoding TO DEFAULT',
    'RESET standard_conforming_strings',
    'RESET ALL',
    'DISCARD ALL',
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    "SELECT * FROM t WHERE x = (SELECT PG_CATALOG.SET_CONFIG('client_encoding', 'GBK', true))",
    "SELECT set_config(current_setting('x.name'), 'off', false)",
    "WITH a AS (SELECT set_config(' standard_conforming_strings ', 'off', false)) SELECT * FROM a",
    'ALTER ROLE app SET standard_conforming_strings = off',
    "ALTER DATABASE app SET client_encoding = 'SJIS'",
    'ALTER ROLE app RESET ALL',
    'ALTER SYSTEM SET standard_conforming_strings = off',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS $$ SELECT 1 $$',
    'SELECT 1; SET standard_conforming_strings = off',
  ]) {
    assert.match(pinnedSettingRefusal(inspectSql(sql)) ?? '', /^Writ refuses /, sql);
  }
});

test('the pinned values, other settings and unrelated functions pass', () => {
  for (const sql of [
    "SET NAMES 'UTF8'",
    "SET client_encoding = 'utf-8'",
    'SET standard_conforming_strings = on',
    'SET LOCAL standard_conforming_strings TO true',
    'SET search_path = public',
    'RESET search_path',
    'DISCARD PLANS',
    "SELECT set_config('app.tenant', '42', false)",
    "SELECT 'standard_conforming_strings = off'",
    'SELECT my_schema.configure(1)',
  ]) {
    assert.equal(pinnedSettingRefusal(inspectSql(sql)), undefined, sql);
  }
});

test('pinned values in every spelling PostgreSQL accepts', () => {
  assert.equal(isPinnedValue('client_encoding', 'Unicode'), true);
  assert.equal(isPinnedValue('client_encoding', 'SQL_ASCII'), false);
  assert.equal(isPinnedValue('standard_conforming_strings', 'YES'), true);
  assert.equal(isPinnedValue('standard_conforming_strings', 'of'), false);
  assert.equal(isPinnedValue('search_path', 'on'), false);
});
