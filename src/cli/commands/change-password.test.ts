import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { createFakeTerminal } from '../testing/fake-terminal.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';

let api: FakeApi;
before(async () => {
  api = await startFakeApi();
});
after(() => api.close());

test('passwd asks for the current password and the new one twice, echoing nothing', async () => {
  api.on('POST /api/v1/auth/password', { status: 204 });
  const terminal = createFakeTerminal();
  terminal.typeAnswers(['old pw\r', 'new pw\r', 'new pw\r']);
  const run = await runAgainst(api.url, ['passwd'], { stdin: terminal.stdin });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests.at(-1)?.body, { currentPassword: 'old pw', newPassword: 'new pw' });
  assert.equal(run.stderr, 'Current password: \nNew password: \nRepeat the new password: \n');
  assert.match(run.stdout, /^Password changed/);
});

test('passwd --password-stdin reads two lines; a wrong current password exits 77', async () => {
  api.on('POST /api/v1/auth/password', problem(401, 'unauthorized', 'the current password is wrong'));
  const run = await runAgainst(api.url, ['passwd', '--password-stdin'], { stdin: 'bad\nnew\n' });
  assert.equal(run.code, 77);
  assert.deepEqual(api.requests.at(-1)?.body, { currentPassword: 'bad', newPassword: 'new' });
});
