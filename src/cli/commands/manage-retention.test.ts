// `writ retention` and `writ hold` against a real Writ API: show, dry run, run, holds placed, listed and released, and bad input refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { createApiHarness, type ApiHarness } from '../../http/testing/api-harness.ts';
import { integratePending } from '../../ledger/sequencer.ts';
import { runAgainst, tokenEnv } from '../testing/cli-harness.ts';

const DAY_MS = 86_400_000;
let h: ApiHarness;
let url: string;

before(async () => {
  h = await createApiHarness('sqlite', { env: { WRIT_RETENTION: JSON.stringify({ rules: [{ typePrefix: 'app.session.', keepDays: 1 }], defaultKeepDays: 'forever' }) } });
  await h.server.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(h.server.server.address() as AddressInfo).port}`;
  for (const actor of ['subject-sam', 'subject-kim']) {
    const entry = h.app.auditEntry({ type: 'app.session.started', time: new Date(h.clock.nowMs() - 2 * DAY_MS).toISOString(), actor: { kind: 'user', id: actor }, outcome: 'success', data: {} });
    await h.app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
  }
  await integratePending({ store: h.app.store, signer: h.app.signer, clock: h.app.clock, batchSize: 10_000 });
});
after(() => h.close());

const asAdmin = (args: readonly string[]) => runAgainst(url, args, { env: tokenEnv(h.tokens.admin), nowMs: h.clock.nowMs() });

test('retention show, hold add, a dry run, a run, hold list and release', async () => {
  const shown = await asAdmin(['retention', 'show']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /app\.session\.\*\s+1 days/);
  assert.match(shown.stdout, /everything else\s+forever/);

  const placed = await asAdmin(['hold', 'add', '--subject', 'subject-kim', '--reason', 'Matter 17', '--json']);
  assert.equal(placed.code, 0, placed.stderr);
  const hold = JSON.parse(placed.stdout) as { id: string };

  const dry = await asAdmin(['retention', 'run', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^Would remove the content of 1 entries \(indices \d+\); 1 past their period kept by legal holds\.\nNothing was changed \(dry run\)\.\n$/);

  const run = await asAdmin(['retention', 'run']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Removed the content of 1 entries/);

  const listed = await asAdmin(['hold', 'list']);
  assert.match(listed.stdout, new RegExp(`${hold.id}\\s+subject subject-kim\\s+Matter 17`));
  const released = await asAdmin(['hold', 'release', hold.id, '--reason', 'closed']);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(released.stdout, `Released legal hold ${hold.id} on subject subject-kim.\n`);
  assert.match((await asAdmin(['hold', 'list'])).stdout, /There are no legal holds/);
});

test('hold add needs exactly one scope and valid times; non-admins are refused', async () => {
  const none = await asAdmin(['hold', 'add', '--reason', 'r']);
  assert.equal(none.code, 64);
  assert.match(none.stderr, /exactly one of --subject/);
  const two = await asAdmin(['hold', 'add', '--subject', 'a', '--resource', 'b', '--reason', 'r']);
  assert.equal(two.code, 64);
  const half = await asAdmin(['hold', 'add', '--from', '2026-01-01T00:00:00Z', '--reason', 'r']);
  assert.match(half.stderr, /both --from/);
  const badTime = await asAdmin(['hold', 'add', '--from', 'last week', '--to', 'now', '--reason', 'r']);
  assert.equal(badTime.code, 64);
  assert.match(badTime.stderr, /--from "last week" is not a time/);
  const user = await runAgainst(url, ['retention', 'run', '--dry-run'], { env: tokenEnv(h.tokens.alice) });
  assert.equal(user.code, 77);
  assert.match(user.stderr, /"alice" may not do this: it needs the role "admin"/);
});
