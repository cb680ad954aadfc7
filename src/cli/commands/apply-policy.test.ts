import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { runAgainst } from '../testing/cli-harness.ts';
import { problem, startFakeApi, type FakeApi } from '../testing/fake-api.ts';

const POLICY = 'resources:\n  - id: pg-prod\n';
let api: FakeApi;
let dir: string;
let file: string;
before(async () => {
  api = await startFakeApi();
  dir = mkdtempSync(join(tmpdir(), 'writ-policy-'));
  file = join(dir, 'writ.policy.yaml');
  writeFileSync(file, POLICY);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const problemAt = (line: number, message: string) => ({ file: 'writ.policy.yaml', line, column: 5, path: 'resources[0].kind', message });

test('validate sends the text and the base name, and says when the file is valid', async () => {
  api.on('POST /api/v1/policy/validate', { body: { valid: true, problems: [], warnings: [problemAt(2, 'no policy names this resource')] } });
  const run = await runAgainst(api.url, ['policy', 'validate', file]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(api.requests[0]?.body, { text: POLICY, fileName: 'writ.policy.yaml' });
  assert.equal(run.stdout, `${file} is a valid policy.\n${file}:2:5: warning: resources[0].kind: no policy names this resource\n`);
});

test('validate lists each problem as file:line:column: path: message and exits 65', async () => {
  api.on('POST /api/v1/policy/validate', { body: { valid: false, problems: [problemAt(2, 'required'), problemAt(4, 'expected one of postgres')], warnings: [] } });
  const run = await runAgainst(api.url, ['policy', 'validate', file]);
  assert.equal(run.code, 65);
  assert.equal(run.stdout, `${file}:2:5: resources[0].kind: required\n${file}:4:5: resources[0].kind: expected one of postgres\n`);
  assert.equal(run.stderr, `writ: ${file} is not a valid policy: 2 problems\n`);
});

test('validate --json prints the answer and still exits 65 when invalid', async () => {
  const body = { valid: false, problems: [problemAt(2, 'required')], warnings: [] };
  api.on('POST /api/v1/policy/validate', { body });
  const run = await runAgainst(api.url, ['policy', 'validate', file, '--json']);
  assert.equal(run.code, 65);
  assert.deepEqual(JSON.parse(run.stdout), body);
});

test('a missing file exits 66 without asking the server', async () => {
  const run = await runAgainst(api.url, ['policy', 'apply', join(dir, 'nope.yaml')]);
  assert.equal(run.code, 66);
  assert.match(run.stderr, /there is no file .*nope\.yaml/);
  assert.equal(api.requests.length, 0);
});

test('apply puts the file and prints the new version, warnings and diff', async () => {
  api.on('PUT /api/v1/policy', { body: { changed: true, version: 3, digest: 'sha256:abc', diff: '--- version 2\n+++ version 3\n+  - id: pg-prod\n', warnings: [] } });
  const run = await runAgainst(api.url, ['policy', 'apply', file]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(api.requests[0]?.method, 'PUT');
  assert.deepEqual(api.requests[0].body, { text: POLICY, fileName: 'writ.policy.yaml' });
  assert.equal(run.stdout, `Applied ${file} as policy version 3 (sha256:abc).\n\n--- version 2\n+++ version 3\n+  - id: pg-prod\n`);
});

test('apply of an unchanged file says so', async () => {
  api.on('PUT /api/v1/policy', { body: { changed: false, version: 3, digest: 'sha256:abc', diff: '', warnings: [] } });
  const run = await runAgainst(api.url, ['policy', 'apply', file]);
  assert.equal(run.stdout, `No change: ${file} is policy version 3 already.\n`);
});

test('apply of an invalid file prints the problems from the refusal and exits 65', async () => {
  api.on('PUT /api/v1/policy', problem(400, 'invalid_input', 'writ.policy.yaml has 1 problem', { problems: [problemAt(2, 'required')] }));
  const run = await runAgainst(api.url, ['policy', 'apply', file]);
  assert.equal(run.code, 65);
  assert.equal(run.stdout, `${file}:2:5: resources[0].kind: required\n`);
});

test('apply without the admin role exits 77', async () => {
  api.on('PUT /api/v1/policy', problem(403, 'forbidden', 'this needs the admin role'));
  const run = await runAgainst(api.url, ['policy', 'apply', file]);
  assert.equal(run.code, 77);
  assert.equal(run.stderr, 'writ: this needs the admin role\n');
});
