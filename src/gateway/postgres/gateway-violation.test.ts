// A server that answers with what Writ did not judge: the session ends before the answer is relayed, with a violation event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { startFakeUpstream } from './testing/fake-upstream.ts';
import { createGatewayHarness, type GatewayHarness } from './testing/gateway-harness.ts';
import { eventually } from './testing/gateway-test-helpers.ts';
import { openRawSession } from './testing/raw-session.ts';

// The ledger's store changes nothing here, and both are run to show it.
for (const backend of ['sqlite', 'postgres'] as const) {
describe(`command tags the judged text cannot explain (a scripted server that says DELETE 3 to everything) (${backend} store)`, () => {
  let h: GatewayHarness;
  before(async () => {
    h = await createGatewayHarness(backend, {
      upstream: async () => {
        const fake = await startFakeUpstream({ auth: { method: 'trust' }, queryTag: 'DELETE 3' });
        return { target: { host: '127.0.0.1', port: fake.port, database: 'fake', user: 'writ', tls: 'disable' }, url: '', kind: 'fake', close: () => fake.close() };
      },
    });
  });
  after(async () => {
    await h.close();
  });

  for (const [level, kind, message] of [
    ['read-only', 'write_in_read_only', /answered DELETE, which read-only access does not allow/],
    ['read-write', 'unexpected_statement', /answered DELETE where Writ saw SelectStmt/],
  ] as const) {
    test(`${level}: a SELECT answered with DELETE ends the session, the tag never reaches the client, and the evidence is recorded`, async () => {
      const connection = await h.grantAndConnect(level);
      const mark = (await h.events()).length;
      const raw = await openRawSession(connection);
      const { answers, closed } = await raw.send(serialize.query('SELECT 1'));
      assert.equal(closed, true);
      assert.deepEqual(answers.map((answer) => answer.name), ['error'], 'only the FATAL: no CommandComplete, no ReadyForQuery');
      assert.equal(answers[0]?.code, '42501');
      assert.match(String(answers[0].message), message);
      const violation = await eventually('the violation event', async () => (await h.eventsSince(mark, 'gateway.session.violation'))[0]);
      assert.equal(violation.outcome, 'denied');
      assert.equal(violation.data.kind, kind);
      assert.deepEqual(violation.data.evidence, { commandTag: 'DELETE', statementIndex: 0, statementPosition: 1, statementKinds: 'SelectStmt' });
      await eventually('the session ended for the violation', async () => ((await h.eventsSince(mark, 'gateway.session.ended')).some((event) => event.data.endReason === 'violation') ? true : undefined));
    });
  }
});
}
