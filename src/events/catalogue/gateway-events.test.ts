import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { findEventDefinition } from './index.ts';
import { MAX_COMPLETED_BATCH, MAX_EVENT_SQL_LENGTH } from './gateway-events.ts';

const digest = (text: string): string => createHash('sha256').update(text).digest('base64');

function accepts(type: string, data: unknown): boolean {
  const definition = findEventDefinition(type);
  assert.ok(definition !== undefined, type);
  return definition.data.safeParse(data).success;
}

const statement = {
  sessionId: 's1',
  grantId: 'g1',
  requestId: 'r1',
  resourceId: 'pg-prod',
  level: 'read-only',
  statementIndex: 3,
  protocol: 'extended',
  sql: 'SELECT * FROM invoices WHERE id = $1',
  sqlSha256: digest('SELECT * FROM invoices WHERE id = $1'),
  statementKinds: ['SelectStmt'],
};

/** One good example of each gateway event, and changes that each must refuse. */
const cases: readonly { type: string; good: Record<string, unknown>; bad: readonly Record<string, unknown>[] }[] = [
  {
    type: 'gateway.credential.issued',
    good: { credentialId: 'c1', grantId: 'g1', requestId: 'r1', resourceId: 'pg-prod', level: 'read-only', expiresAt: '2026-11-25T14:05:00Z' },
    bad: [{ expiresAt: 'tomorrow' }, { level: '' }, { password: 'x' }, { resourceId: 'p'.repeat(65) }],
  },
  {
    type: 'gateway.connection.refused',
    good: { database: 'pg-prod', reason: 'no_active_grant', sqlState: '28000', grantId: 'g1', resourceId: 'pg-prod' },
    bad: [{ reason: 'wrong_password' }, { sqlState: '2800' }, { sqlState: '28p01' }, { database: 'd'.repeat(64) }, { userName: 'alice' }],
  },
  {
    type: 'gateway.session.started',
    good: { sessionId: 's1', credentialId: 'c1', grantId: 'g1', requestId: 'r1', resourceId: 'pg-prod', level: 'read-only', database: 'pg-prod', protocol: 'postgres', tls: true, upstreamTls: false, applicationName: 'psql' },
    bad: [{ protocol: 'mysql' }, { tls: 'yes' }, { applicationName: 'a'.repeat(65) }, { credentialId: undefined }],
  },
  {
    type: 'gateway.session.ended',
    good: { sessionId: 's1', grantId: 'g1', resourceId: 'pg-prod', endReason: 'grant_revoked', durationMs: 1234.5, statementCount: 10, blockedCount: 1, bytesFromClient: 900, bytesToClient: 12_000 },
    bad: [{ endReason: 'bored' }, { statementCount: -1 }, { bytesToClient: 1.5 }, { blockedCount: undefined }],
  },
  {
    type: 'gateway.session.violation',
    good: { sessionId: 's1', grantId: 'g1', requestId: 'r1', resourceId: 'pg-prod', level: 'read-only', kind: 'write_in_read_only', message: 'Writ ended this session', evidence: { commandTag: 'DELETE', statementIndex: 3 } },
    bad: [{ kind: 'odd' }, { message: '' }, { evidence: { statementIndex: -1 } }, { evidence: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`f${index}`, 'x'])) }],
  },
  {
    type: 'gateway.statement.executed',
    good: { ...statement, parameterCount: 1, parameters: ['42'] },
    bad: [
      { sql: 'x'.repeat(MAX_EVENT_SQL_LENGTH + 1) },
      { sqlSha256: 'abc' },
      { protocol: 'copy' },
      { statementKinds: Array.from({ length: 65 }, () => 'SelectStmt') },
      { statementKinds: ['S'.repeat(65)] },
      { parameterCount: undefined },
      { parameters: [42] },
      { commandTag: 'SELECT 1' },
    ],
  },
  {
    type: 'gateway.statements.completed',
    good: { sessionId: 's1', statements: [{ statementIndex: 0, commandTag: 'SELECT 1', rowCount: 1, durationMs: 0.4 }, { statementIndex: 1, durationMs: 2, sqlState: '42P01' }] },
    bad: [
      { statements: [] },
      { statements: Array.from({ length: MAX_COMPLETED_BATCH + 1 }, (_, i) => ({ statementIndex: i, durationMs: 1 })) },
      { statements: [{ statementIndex: 0, durationMs: 1, sql: 'SELECT 1' }] },
      { statements: [{ statementIndex: 0 }] },
    ],
  },
  {
    type: 'gateway.statement.blocked',
    good: { ...statement, sqlTruncated: true, rule: 'read-only', message: 'read-only access: UPDATE is not allowed' },
    bad: [{ rule: '' }, { rule: 'r'.repeat(65) }, { message: 'm'.repeat(501) }, { message: undefined }, { parameters: ['42'] }],
  },
  {
    type: 'gateway.connection.refusals.summarized',
    good: { sourceKind: 'address', intervalStart: '2026-11-25T14:05:00Z', intervalEnd: '2026-11-25T14:06:00Z', refusals: 1003, reasons: { startup_timeout: 1000, protocol_error: 2, too_many_from_source: 1 } },
    bad: [
      { sourceKind: 'host' },
      { intervalEnd: 'later' },
      { refusals: 0 },
      { reasons: { startup_timeout: 0 } },
      { reasons: { wrong_password: 1 } },
      { reasons: undefined },
      { clientAddress: '127.0.0.1' },
    ],
  },
];

test('each gateway event accepts a good example', () => {
  for (const { type, good } of cases) assert.ok(accepts(type, good), type);
});

test('each gateway event refuses unknown fields, missing fields, wrong values and unbounded text', () => {
  for (const { type, good, bad } of cases) {
    for (const change of bad) {
      const data = Object.fromEntries(Object.entries({ ...good, ...change }).filter(([, value]) => value !== undefined));
      assert.equal(accepts(type, data), false, `${type} accepted ${JSON.stringify(change).slice(0, 120)}`);
    }
  }
});

test('optional fields may be left out; an empty statement list is allowed for text that parsed to nothing', () => {
  assert.ok(accepts('gateway.connection.refused', { database: '', reason: 'protocol_error', sqlState: '08P01' }));
  const started = Object.entries(cases[2]?.good ?? {}).filter(([key]) => key !== 'applicationName');
  assert.equal(started.length, 10);
  assert.ok(accepts('gateway.session.started', Object.fromEntries(started)));
  assert.ok(accepts('gateway.statement.executed', { ...statement, statementKinds: [], sql: '', sqlSha256: digest(''), parameterCount: 0 }));
  assert.ok(accepts('gateway.statement.blocked', { ...statement, rule: 'unparseable', message: 'syntax error at or near "SELEC"', statementKinds: [] }));
});
