import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createArgon2PasswordHasher, owaspArgon2Params } from './password-hasher.ts';

test('OWASP parameters by default: argon2id, m=19456, t=2, p=1', async () => {
  const hasher = createArgon2PasswordHasher();
  const phc = await hasher.hash('correct horse battery staple');
  assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await hasher.verify(phc, 'correct horse battery staple'), true);
  assert.equal(await hasher.verify(phc, 'correct horse battery stapler'), false);
  assert.equal(hasher.needsRehash(phc), false);
  assert.deepEqual(owaspArgon2Params, { memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
});

test('a hash made with other parameters asks to be rehashed; a malformed one never verifies', async () => {
  const cheap = createArgon2PasswordHasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
  const phc = await cheap.hash('pw');
  assert.equal(createArgon2PasswordHasher().needsRehash(phc), true);
  assert.equal(await cheap.verify('not a hash', 'pw'), false);
  assert.equal(cheap.needsRehash('not a hash'), true);
});

test('the dummy verification always answers false and costs about as much as a real one', async () => {
  const hasher = createArgon2PasswordHasher();
  const phc = await hasher.hash('some password 123');
  await hasher.verifyDummy('warm-up');
  const time = async (work: () => Promise<unknown>): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 3; i += 1) await work();
    return Number(process.hrtime.bigint() - start);
  };
  const real = await time(() => hasher.verify(phc, 'wrong password'));
  const dummy = await time(() => hasher.verifyDummy('wrong password'));
  assert.equal(await hasher.verifyDummy('some password 123'), false);
  assert.ok(dummy > real / 3 && dummy < real * 3, `real ${real} ns, dummy ${dummy} ns`);
});

test('passwords are compared after NFC normalisation', async () => {
  const hasher = createArgon2PasswordHasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
  const phc = await hasher.hash('caf\u00e9 au lait!!');
  assert.equal(await hasher.verify(phc, 'cafe\u0301 au lait!!'), true);
});
