// A store connection the server ends (pg_terminate_backend, as a restart or failover would) neither crashes Writ nor stays broken.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgresDatabase } from './postgres.ts';

const url = process.env.WRIT_TEST_PG_URL;

test('terminating the store\'s idle connections is heard, not fatal, and the next query gets a new connection', { skip: url === undefined ? 'needs a real PostgreSQL (WRIT_TEST_PG_URL)' : false }, async () => {
  const heard: Error[] = [];
  const opened = openPostgresDatabase(url ?? '', { maxConnections: 2, onConnectionError: (error) => heard.push(error) });
  const side = new pg.Client({ connectionString: url });
  await side.connect();
  try {
    const first = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(opened.db);
    const pid = first.rows[0]?.pid;
    assert.ok(pid !== undefined);
    await side.query('select pg_terminate_backend($1)', [pid]);
    for (let waited = 0; heard.length === 0 && waited < 5000; waited += 50) await delay(50);
    assert.equal(heard.length >= 1, true, 'the lost connection was reported to the listener (an unhandled one would have ended this process)');
    const next = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(opened.db);
    assert.notEqual(next.rows[0]?.pid, pid, 'a new connection serves the next query');
  } finally {
    await side.end();
    await opened.close();
  }
});
