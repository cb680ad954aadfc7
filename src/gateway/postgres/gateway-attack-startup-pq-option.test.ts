// Found by issue 11's attacker's pass: a protocol option (`_pq_.` name) smuggled into the options startup parameter
// once passed as a custom setting (it has a dot) and failed building the upstream StartupMessage (XX000); it is refused
// by name (42501) like any other startup setting Writ does not pass.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';

describe('attack: a _pq_ protocol option given as "-c" in options', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness('sqlite');
  });
  after(async () => {
    await h.close();
  });

  for (const level of ['read-only', 'read-write'] as const) {
    test(`${level}: refused as a startup setting Writ does not pass, not as an internal failure`, async () => {
      const connection = await h.grantAndConnect(level);
      const client = new pg.Client({ connectionString: connection.url, options: '-c _pq_.writ_probe=1' });
      client.on('error', () => undefined);
      const error = await client.connect().then(() => undefined, (caught: unknown) => caught as { code?: string; message?: string });
      await client.end().catch(() => undefined);
      assert.notEqual(error, undefined, 'the connection is refused');
      assert.equal(error?.code, '42501', `refused by name, not "${String(error?.message)}" (${String(error?.code)})`);
      assert.match(String(error.message), /_pq_\.writ_probe/);
    });
  }
});
