// A session's life under its grant: cut with FATAL 57P01 when the grant ends or is revoked, new connections refused, running queries cancelled.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { queryTestUpstream } from './testing/test-upstream.ts';

/** How long a test waits for something that should happen at once, before failing (a bound, not a measurement). */
const BOUND_MS = 5000;

interface ServerError {
  readonly code: string | undefined;
  readonly message: string;
  readonly hint: string | undefined;
  readonly severity: string | undefined;
}

function asServerError(error: unknown): ServerError {
  const fields = error as { code?: string; message?: string; hint?: string; severity?: string };
  return { code: fields.code, message: fields.message ?? String(error), hint: fields.hint, severity: fields.severity };
}

/** Rejects when `promise` has not settled within the bound: the event under test never came. */
function within<T>(promise: Promise<T>, what: string, boundMs = BOUND_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: nothing within ${boundMs} ms`)); }, boundMs);
  });
  return Promise.race([promise, bound]).finally(() => { clearTimeout(timer); });
}

/** Polls `check` until it holds; fails the test if it never does within the bound. */
async function waitFor(check: () => Promise<boolean>, what: string, boundMs = BOUND_MS): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A connected node-postgres client and the first error the server sends it outside a query. */
async function connectWatched(url: string): Promise<{ client: pg.Client; firstError: Promise<ServerError> }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  const firstError = new Promise<ServerError>((resolve) => {
    client.on('error', (error) => { resolve(asServerError(error)); });
  });
  await client.connect();
  return { client, firstError };
}

async function refusalOf(url: string): Promise<ServerError | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (error) {
    return asServerError(error);
  }
}

async function endReasonsOf(h: GatewayHarness, grantId: string): Promise<unknown[]> {
  const ended = await h.events('gateway.session.ended');
  return ended.filter((event) => event.data.grantId === grantId).map((event) => event.data.endReason);
}

describe('a session lives only as long as its grant', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  test('when the grant ends, both of its sessions get FATAL 57P01 naming the resource, and a new connection is refused with 42501', async () => {
    const connection = await h.grantAndConnect('read-only', 600);
    const first = await connectWatched(connection.url);
    const second = await connectWatched(connection.url);
    assert.equal((await first.client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    assert.equal((await second.client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);

    h.api.clock.advanceMs(600_000 + 1);
    await h.gateway.checkGrants();
    const errors = await within(Promise.all([first.firstError, second.firstError]), 'the sessions of an ended grant were not cut');
    for (const error of errors) {
      assert.equal(error.code, '57P01');
      assert.equal(error.severity, 'FATAL');
      assert.match(error.message, /grant for pg-dev ended/);
    }
    await waitFor(async () => (await endReasonsOf(h, connection.grantId)).length === 2, 'gateway.session.ended for both sessions');
    assert.deepEqual(await endReasonsOf(h, connection.grantId), ['grant_ended', 'grant_ended']);
    assert.equal(h.gateway.registry.byGrant().get(connection.grantId), undefined, 'no live session is left under the grant');

    const refused = await refusalOf(connection.url);
    assert.equal(refused?.code, '42501');
    assert.match(`${refused.message} ${refused.hint ?? ''}`, /writ request pg-dev/);
    const recorded = (await h.events('gateway.connection.refused')).at(-1);
    assert.equal(recorded?.data.reason, 'no_active_grant');
    assert.equal(recorded.data.grantId, connection.grantId);
  });

  test('a revocation by an approver cuts every session under the grant on the watcher alone, with grant_revoked', async () => {
    const connection = await h.grantAndConnect('read-only');
    const first = await connectWatched(connection.url);
    const second = await connectWatched(connection.url);
    await first.client.query('SELECT 1');

    const revoked = await h.api.call('POST', `/api/v1/grants/${connection.grantId}/revoke`, { token: h.api.tokens.bob, body: { reason: 'gateway test: revoke' } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    // No checkGrants(): the watcher reads revocations from the store on its own.
    const errors = await within(Promise.all([first.firstError, second.firstError]), 'the sessions of a revoked grant were not cut');
    for (const error of errors) {
      assert.equal(error.code, '57P01');
      assert.match(error.message, /grant for pg-dev was revoked/);
    }
    await waitFor(async () => (await endReasonsOf(h, connection.grantId)).length === 2, 'gateway.session.ended for both sessions');
    assert.deepEqual(await endReasonsOf(h, connection.grantId), ['grant_revoked', 'grant_revoked']);
    assert.equal((await refusalOf(connection.url))?.code, '42501', 'a revoked grant admits no new session');
  });

  test('a query running when the grant is revoked is cancelled upstream (real PostgreSQL only)', async (t) => {
    if (h.upstream.kind !== 'postgres') {
      t.skip('PGlite cannot cancel a running query; set WRIT_TEST_PG_URL');
      return;
    }
    const connection = await h.grantAndConnect('read-only');
    const session = await connectWatched(connection.url);
    const marker = `writ_sleep_${randomBytes(6).toString('hex')}`;
    const running = session.client.query(`SELECT '${marker}' AS marker, pg_sleep(30)`).then(
      () => undefined,
      (error: unknown) => asServerError(error),
    );
    const sleeping = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%${marker}%' AND pid <> pg_backend_pid()`;
    const count = async (): Promise<number> => ((await queryTestUpstream(h.upstream, sleeping)).rows as { n: number }[])[0]?.n ?? -1;
    await waitFor(async () => (await count()) === 1, 'the long query to start upstream');

    const revoked = await h.api.call('POST', `/api/v1/grants/${connection.grantId}/revoke`, { token: h.api.tokens.admin, body: { reason: 'gateway test: cancel' } });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    await h.gateway.checkGrants();
    const failure = await within(running, 'the running query was not ended');
    assert.equal(failure?.code, '57P01');
    await waitFor(async () => (await count()) === 0, 'the upstream backend running pg_sleep to go away');
    await waitFor(async () => (await endReasonsOf(h, connection.grantId)).includes('grant_revoked'), 'gateway.session.ended');
  });
});
