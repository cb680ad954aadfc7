// What a StartupMessage may ask of the server: harmless settings pass, pinned ones keep their value, the rest are refused by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitOptions, startupSettings } from './startup-settings.ts';

const params = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries({ user: 'alice', database: 'pg-dev', ...entries }));

test('harmless settings and -c options are passed on; Writ adds its pinned settings and, for read-only, the read-only default', () => {
  const settings = startupSettings(params({ application_name: 'psql', statement_timeout: '5s', DateStyle: 'ISO', options: '-c lock_timeout=2s --idle-in-transaction-session-timeout=10s -csearch_path=a\\ b' }), { readOnly: true });
  assert.deepEqual(settings, {
    kind: 'accepted',
    parameters: {
      application_name: 'psql',
      statement_timeout: '5s',
      DateStyle: 'ISO',
      lock_timeout: '2s',
      idle_in_transaction_session_timeout: '10s',
      search_path: 'a b',
      client_encoding: 'UTF8',
      standard_conforming_strings: 'on',
      options: '-c default_transaction_read_only=on',
    },
  });
  const readWrite = startupSettings(params({}), { readOnly: false });
  assert.deepEqual(readWrite, { kind: 'accepted', parameters: { client_encoding: 'UTF8', standard_conforming_strings: 'on' } });
});

test('client_encoding: UTF8 in any spelling (and SQL_ASCII, which a UTF8 server lexes alike) becomes UTF8; others are refused with 22023', () => {
  for (const encoding of ['UTF8', 'utf-8', 'Unicode', 'SQL_ASCII']) {
    const settings = startupSettings(params({ client_encoding: encoding }), { readOnly: false });
    assert.equal(settings.kind === 'accepted' ? settings.parameters.client_encoding : undefined, 'UTF8', encoding);
  }
  for (const encoding of ['SJIS', 'BIG5', 'GBK', 'GB18030', 'UHC', 'LATIN1', 'auto', '']) {
    const settings = startupSettings(params({ client_encoding: encoding }), { readOnly: false });
    assert.equal(settings.kind === 'refused' && settings.sqlState, '22023', encoding);
  }
  const viaOptions = startupSettings(params({ options: '-c client_encoding=SJIS' }), { readOnly: false });
  assert.equal(viaOptions.kind, 'refused');
});

test('standard_conforming_strings only at on; settings a session may not change, replication and other switches are refused by name', () => {
  assert.equal(startupSettings(params({ standard_conforming_strings: 'on' }), { readOnly: false }).kind, 'accepted');
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ standard_conforming_strings: 'off' }, '22023', /standard_conforming_strings/],
    [{ options: '-c standard_conforming_strings=off' }, '22023', /standard_conforming_strings/],
    [{ default_transaction_read_only: 'off' }, '42501', /"default_transaction_read_only"/],
    [{ options: '-c role=postgres' }, '42501', /"role"/],
    [{ session_replication_role: 'replica' }, '42501', /"session_replication_role"/],
    [{ backslash_quote: 'on' }, '42501', /"backslash_quote"/],
    [{ options: '-d 5' }, '42501', /only "-c name=value"/],
    [{ options: '-c nameonly' }, '42501', /only "-c name=value"/],
    [{ replication: 'database' }, '08P01', /replication/],
    [{ options: '-c _pq_.writ=1' }, '42501', /"_pq_.writ"/],
    [{ options: '-c user=postgres' }, '42501', /"user"/],
  ];
  for (const [entries, sqlState, message] of cases) {
    const settings = startupSettings(params(entries), { readOnly: false });
    assert.equal(settings.kind === 'refused' && settings.sqlState, sqlState, JSON.stringify(entries));
    assert.match(settings.kind === 'refused' ? settings.message : '', message);
  }
});

test('options are split as the server splits them: whitespace separates, a backslash keeps the next character', () => {
  assert.deepEqual(splitOptions('  -c a=1\t-c  b=x\\ y  '), ['-c', 'a=1', '-c', 'b=x y']);
  assert.deepEqual(splitOptions('-c a=\\\\'), ['-c', 'a=\\']);
  assert.deepEqual(splitOptions(''), []);
});
