// Gateway credentials on both backends: issue under an active grant, verifier only, the cap, expiry, lookup by name, atomicity.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EXPIRED_CREDENTIAL_RETENTION_MS,
  MAX_UNEXPIRED_CREDENTIALS,
  findGatewayCredentials,
  issueGatewayCredential,
} from '../gateway/gateway-credentials.ts';
import { createScramVerifier, gatewayCredentialSalt } from '../gateway/postgres/scram-verifier.ts';
import { isAppError } from '../shared/app-error.ts';
import { createGatewayFixture, T0, type GatewayFixture } from './testing/gateway-fixture.ts';
import { testBackends } from './testing/test-databases.ts';

const HOUR_MS = 3600 * 1000;

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

async function withFixture(backend: 'sqlite' | 'postgres', run: (f: GatewayFixture) => Promise<void>): Promise<void> {
  const fixture = await createGatewayFixture(backend);
  try {
    await run(fixture);
  } finally {
    await fixture.close();
  }
}

const who = (f: GatewayFixture, name: 'alice' | 'bob') => ({ userId: f[name].userId, userName: f[name].username, ip: '192.0.2.7' });

for (const backend of testBackends) {
  describe(`gateway credentials on ${backend}`, () => {
    test('a credential is issued under the active grant, ends with it, and only its verifier is stored', () => withFixture(backend, async (f) => {
      const grant = await f.grant(f.alice, 'read-only');
      f.clock.advanceMs(60_000);
      const issued = await issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs());
      assert.match(issued.password, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual({ ...issued, password: undefined, credentialId: undefined }, { credentialId: undefined, password: undefined, userName: 'alice', resourceId: 'pg-prod', level: 'read-only', grantId: grant.id, expiresAtMs: grant.endsAtMs });
      const rows = await f.db.selectFrom('gateway_credentials').selectAll().execute();
      assert.equal(rows.length, 1);
      const row = rows[0];
      assert.ok(row !== undefined);
      const expected = createScramVerifier(issued.password, gatewayCredentialSalt(f.alice.userId, 'pg-prod'));
      assert.deepEqual(Buffer.from(row.scram_stored_key), expected.storedKey);
      assert.deepEqual(Buffer.from(row.scram_server_key), expected.serverKey);
      assert.deepEqual(Buffer.from(row.scram_salt), expected.salt);
      const rowText = JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? [value.toString('base64'), value.toString('latin1'), value.toString('base64url')] : value));
      assert.ok(!rowText.includes(issued.password), 'the stored row holds no password');
      const events = await f.events();
      const issuedEvent = events.find((e) => e.event.type === 'gateway.credential.issued');
      assert.ok(issuedEvent !== undefined);
      assert.deepEqual(issuedEvent.event.data, { credentialId: issued.credentialId, grantId: grant.id, requestId: grant.requestId, resourceId: 'pg-prod', level: 'read-only', expiresAt: new Date(grant.endsAtMs).toISOString() });
      assert.equal(issuedEvent.event.actor.id, f.alice.userId);
      assert.equal(issuedEvent.event.context?.grantId, grant.id);
      for (const { bytes } of events) assert.ok(!bytes.toString('latin1').includes(issued.password), 'no ledger entry holds the password');
    }));

    test('the gateway finds the candidates by user name; unknown names and disabled users get none', () => withFixture(backend, async (f) => {
      const grant = await f.grant(f.alice, 'read-only');
      const issued = await issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs());
      const found = await findGatewayCredentials(f.deps, 'Alice', 'pg-prod', f.clock.nowMs());
      assert.deepEqual(found.user, { id: f.alice.userId, name: 'alice' });
      assert.equal(found.candidates.length, 1);
      const [candidate] = found.candidates;
      assert.deepEqual({ ...candidate, verifier: undefined }, { credentialId: issued.credentialId, grantId: grant.id, level: 'read-only', verifier: undefined, expiresAtMs: grant.endsAtMs });
      assert.deepEqual(candidate?.verifier, createScramVerifier(issued.password, gatewayCredentialSalt(f.alice.userId, 'pg-prod')));
      assert.deepEqual(await findGatewayCredentials(f.deps, 'alice', 'pg-other', f.clock.nowMs()), { user: { id: f.alice.userId, name: 'alice' }, candidates: [] });
      assert.deepEqual(await findGatewayCredentials(f.deps, 'mallory', 'pg-prod', f.clock.nowMs()), { user: undefined, candidates: [] });
      assert.deepEqual(await findGatewayCredentials(f.deps, "alice' or 1=1 --", 'pg-prod', f.clock.nowMs()), { user: undefined, candidates: [] });
      await f.disable(f.alice);
      assert.deepEqual(await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs()), { user: { id: f.alice.userId, name: 'alice' }, candidates: [] });
    }));

    test('at most 16 unexpired credentials per user and resource: the oldest go', () => withFixture(backend, async (f) => {
      await f.grant(f.alice, 'read-only');
      const issued: string[] = [];
      for (let i = 0; i < MAX_UNEXPIRED_CREDENTIALS + 2; i += 1) {
        issued.push((await issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs())).credentialId);
        f.clock.advanceMs(1000);
      }
      const found = await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs());
      assert.deepEqual(found.candidates.map((c) => c.credentialId), issued.slice(2).reverse());
      assert.equal((await f.db.selectFrom('gateway_credentials').select('id').execute()).length, MAX_UNEXPIRED_CREDENTIALS);
      await f.grant(f.bob, 'read-only');
      await issueGatewayCredential(f.deps, who(f, 'bob'), { resourceId: 'pg-prod' }, f.clock.nowMs());
      assert.equal((await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs())).candidates.length, MAX_UNEXPIRED_CREDENTIALS, "bob's credential does not push out alice's");
    }));

    test('after the grant ends: no new credential, the old one is still shown for a day, then purged', () => withFixture(backend, async (f) => {
      const grant = await f.grant(f.alice, 'read-only');
      const issued = await issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs());
      f.clock.advanceMs(grant.endsAtMs - f.clock.nowMs());
      await rejects(issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs()), 'forbidden', /^no active grant for pg-prod; run writ request pg-prod --level <read-only\|read-write> --for 1h --reason "\.\.\."$/);
      f.clock.advanceMs(EXPIRED_CREDENTIAL_RETENTION_MS - 1);
      const recent = await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs());
      assert.deepEqual(recent.candidates.map((c) => c.credentialId), [issued.credentialId]);
      f.clock.advanceMs(2);
      assert.deepEqual((await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs())).candidates, []);
      await f.grant(f.bob, 'read-only');
      await issueGatewayCredential(f.deps, who(f, 'bob'), { resourceId: 'pg-prod' }, f.clock.nowMs());
      const left = await f.db.selectFrom('gateway_credentials').select('user_id').execute();
      assert.deepEqual(left.map((r) => r.user_id), [f.bob.userId], 'issuing purges credentials that expired more than a day ago');
    }));

    test('which grant: none, several levels, a chosen level, a later start, an unknown resource', () => withFixture(backend, async (f) => {
      const alice = who(f, 'alice');
      const now = (): number => f.clock.nowMs();
      await rejects(issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod', level: 'read-write' }, now()), 'forbidden', /^no active grant for pg-prod at read-write; run writ request pg-prod --level read-write --for 1h --reason "\.\.\."$/);
      await rejects(issueGatewayCredential(f.deps, alice, { resourceId: 'pg-nope' }, now()), 'not_found', /there is no resource "pg-nope"/);
      await f.grant(f.alice, 'read-only', { startAtMs: T0 + HOUR_MS });
      await rejects(issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod' }, now()), 'forbidden', /your read-only grant for pg-prod starts at 2026-11-25T10:00:00.000Z; connect then/);
      f.clock.advanceMs(HOUR_MS);
      const readWrite = await f.grant(f.alice, 'read-write', { durationSeconds: 1800 });
      await rejects(issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod' }, now()), 'invalid_input', /you hold active grants for pg-prod at read-only and read-write; choose one with --level/);
      const chosen = await issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod', level: 'read-write' }, now());
      assert.equal(chosen.grantId, readWrite.id);
      assert.equal(chosen.expiresAtMs, readWrite.endsAtMs);
      f.clock.advanceMs(1800 * 1000);
      await rejects(issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod', level: 'read-write' }, now()), 'forbidden', /^no active grant for pg-prod at read-write \(you hold read-only\)/);
      assert.equal((await issueGatewayCredential(f.deps, alice, { resourceId: 'pg-prod' }, now())).level, 'read-only');
    }));

    test('if the ledger append fails, no credential is stored', () => withFixture(backend, async (f) => {
      await f.grant(f.alice, 'read-only');
      f.failNextAppend();
      await assert.rejects(issueGatewayCredential(f.deps, who(f, 'alice'), { resourceId: 'pg-prod' }, f.clock.nowMs()), /injected ledger failure/);
      assert.deepEqual(await f.db.selectFrom('gateway_credentials').select('id').execute(), []);
      assert.deepEqual((await findGatewayCredentials(f.deps, 'alice', 'pg-prod', f.clock.nowMs())).candidates, []);
    }));
  });
}
