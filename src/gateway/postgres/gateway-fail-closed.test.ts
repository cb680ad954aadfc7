// Fail-closed auditing: when the ledger cannot commit, the statement is not forwarded, the client is told why and the session ends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { GroupCommitAppender } from '../../ledger/group-commit.ts';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream, withScratchTable } from './testing/test-upstream.ts';

const BOUND_MS = 5000;

/** An appender that throws, as a full disk would, for entries of the types in `failing` (empty: none). */
function failingAppender(real: GroupCommitAppender, failing: ReadonlySet<string>): GroupCommitAppender {
  return {
    async append(entries) {
      const hit = entries.find((entry) => failing.has(entry.type));
      if (hit !== undefined) throw new Error(`injected ledger failure for ${hit.type}`);
      await real.append(entries);
    },
  };
}

interface ServerError {
  readonly code: string | undefined;
  readonly message: string;
  readonly severity: string | undefined;
}

async function errorOf(work: Promise<unknown>): Promise<ServerError | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    const fields = error as { code?: string; message?: string; severity?: string };
    return { code: fields.code, message: fields.message ?? String(error), severity: fields.severity };
  }
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: nothing within ${BOUND_MS} ms`)); }, BOUND_MS);
  });
  return Promise.race([promise, bound]).finally(() => { clearTimeout(timer); });
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A connected client whose 'end' event (the server closed the connection) can be awaited. */
async function connectWatched(url: string): Promise<{ client: pg.Client; closed: Promise<void> }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => client.once('end', () => { resolve(); }));
  await client.connect();
  return { client, closed };
}

async function rowCount(h: GatewayHarness, table: string): Promise<number> {
  const result = await queryTestUpstream(h.upstream, `SELECT count(*)::int AS n FROM ${table}`);
  return (result.rows as { n: number }[])[0]?.n ?? -1;
}

describe('the gateway fails closed when the ledger cannot commit', () => {
  let h: GatewayHarness;
  const failing = new Set<string>();
  before(async () => {
    h = await createGatewayHarness('sqlite', { deps: (base) => ({ ...base, appender: failingAppender(base.appender, failing) }) });
  });
  after(async () => {
    failing.clear();
    await h.close();
  });

  for (const protocol of ['simple', 'extended'] as const) {
    test(`a write (${protocol} protocol) whose statement cannot be recorded is not run: 58000, the row absent, the session closed`, async () => {
      const connection = await h.grantAndConnect('read-write');
      await withScratchTable(h.upstream, 'id int', async (table) => {
        const { client, closed } = await connectWatched(connection.url);
        await client.query(`INSERT INTO ${table} VALUES (1)`);
        assert.equal(await rowCount(h, table), 1, 'a write goes through while the ledger works');

        failing.add('gateway.statement.executed');
        const insert = protocol === 'simple' ? client.query(`INSERT INTO ${table} VALUES (2)`) : client.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
        const refused = await errorOf(insert);
        failing.clear();
        assert.equal(refused?.code, '58000');
        assert.equal(refused.severity, 'FATAL');
        assert.match(refused.message, /could not record this statement on its audit ledger, so it was not run/);
        await within(closed, 'the gateway closing the session');
        assert.equal(await rowCount(h, table), 1, 'the refused INSERT never reached the server');
        const executed = await h.events('gateway.statement.executed');
        assert.ok(!executed.some((event) => String(event.data.sql).includes('VALUES (2)') || String(event.data.sql).includes('VALUES ($1)')));
        await waitFor(async () => (await h.events('gateway.session.ended')).some((event) => event.data.endReason === 'ledger_unavailable' && event.data.grantId === connection.grantId), 'gateway.session.ended with ledger_unavailable');
      });
    });
  }

  test('a session whose start cannot be recorded is refused: no session, no upstream work', async () => {
    const connection = await h.grantAndConnect('read-only');
    failing.add('gateway.session.started');
    const client = new pg.Client({ connectionString: connection.url, connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    const refused = await errorOf(client.connect());
    failing.clear();
    assert.equal(refused?.code, '58000');
    assert.equal(refused.severity, 'FATAL');
    assert.match(refused.message, /audit ledger/);
    assert.equal(h.gateway.registry.byGrant().get(connection.grantId), undefined, 'no live session under the grant');
    const started = await h.events('gateway.session.started');
    assert.ok(!started.some((event) => event.data.grantId === connection.grantId));

    const again = await connectWatched(connection.url);
    assert.equal((await again.client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1, 'once the ledger works again, so does the gateway');
    await again.client.end();
  });
});
