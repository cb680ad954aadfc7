// Statements in order, blocked ones marked with their rule, completions joined.
import { expect, test } from 'vitest';
import type { AuditEvent } from './audit-queries.ts';
import { sessionTimeline } from './session-timeline.ts';

function event(type: string, data: Record<string, unknown>, time = '2026-11-26T07:00:00.000Z'): AuditEvent {
  return { id: `${type}-${JSON.stringify(data.statementIndex ?? 0)}`, v: 1, type, time, actor: { kind: 'user', id: 'alice' }, targets: [], outcome: type.endsWith('blocked') ? 'denied' : 'success', data };
}

test('statements are ordered by index whatever order the events come in; blocked ones keep rule and message', () => {
  const timeline = sessionTimeline([
    event('gateway.statements.completed', { statements: [{ statementIndex: 1, commandTag: 'SELECT 1', rowCount: 1, durationMs: 3 }, { statementIndex: 3, durationMs: 2, sqlState: '42P01' }] }),
    event('gateway.statement.executed', { statementIndex: 3, sql: 'SELECT * FROM nope' }),
    event('gateway.session.ended', { endReason: 'client_closed' }),
    event('gateway.statement.blocked', { statementIndex: 2, sql: 'DELETE FROM orders', rule: 'read-only', message: 'read-only access refuses DELETE' }),
    event('gateway.statement.executed', { statementIndex: 1, sql: 'SELECT count(*) FROM orders' }),
    event('gateway.session.started', { database: 'demo-db' }),
  ]);
  expect(timeline.started?.type).toBe('gateway.session.started');
  expect(timeline.ended?.type).toBe('gateway.session.ended');
  expect(timeline.statements).toEqual([
    { statementIndex: 1, time: '2026-11-26T07:00:00.000Z', sql: 'SELECT count(*) FROM orders', blocked: false, commandTag: 'SELECT 1', rowCount: 1, durationMs: 3 },
    { statementIndex: 2, time: '2026-11-26T07:00:00.000Z', sql: 'DELETE FROM orders', blocked: true, rule: 'read-only', message: 'read-only access refuses DELETE' },
    { statementIndex: 3, time: '2026-11-26T07:00:00.000Z', sql: 'SELECT * FROM nope', blocked: false, durationMs: 2, sqlState: '42P01' },
  ]);
});

test('a session still open has no end, and statements without completions show none', () => {
  const timeline = sessionTimeline([event('gateway.session.started', {}), event('gateway.statement.executed', { statementIndex: 1, sql: 'BEGIN' })]);
  expect(timeline.ended).toBeUndefined();
  expect(timeline.statements).toEqual([{ statementIndex: 1, time: '2026-11-26T07:00:00.000Z', sql: 'BEGIN', blocked: false }]);
});
