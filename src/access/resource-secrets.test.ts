// Tests for secret references: parsing, resolving through injected sources, and views without secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../shared/app-error.ts';
import { parseSecretRef, resolveSecretRef, type SecretSources } from './resource-secrets.ts';
import { resourceSchema, toPublicResource } from './resource-schema.ts';

const files: Record<string, string> = { '/run/secrets/pg': 's3cret\n' };
const sources: SecretSources = {
  env: { PG_PASSWORD: 'from-env', EMPTY: '' },
  readFile: (path) => (path in files ? Promise.resolve(files[path] ?? '') : Promise.reject(new Error('ENOENT'))),
};

test('references are parsed, never resolved by parsing', () => {
  assert.deepEqual(parseSecretRef('env:PG_PASSWORD'), { kind: 'env', name: 'PG_PASSWORD', optional: false });
  assert.deepEqual(parseSecretRef('env:PG_PASSWORD?'), { kind: 'env', name: 'PG_PASSWORD', optional: true });
  assert.deepEqual(parseSecretRef('file:/run/secrets/pg'), { kind: 'file', path: '/run/secrets/pg' });
  for (const text of ['hunter2', 'env:', 'env:1A', 'file:relative', 'file:', 'vault:x', 'env:A B']) assert.equal(parseSecretRef(text), undefined, text);
});

test('resolving reads only the injected sources', async () => {
  assert.equal(await resolveSecretRef('env:PG_PASSWORD', sources), 'from-env');
  assert.equal(await resolveSecretRef('env:EMPTY', sources), '');
  assert.equal(await resolveSecretRef('env:UNSET?', sources), '');
  assert.equal(await resolveSecretRef('file:/run/secrets/pg', sources), 's3cret');
});

test('a missing variable or file is a configuration error naming the reference, not a secret', async () => {
  await assert.rejects(resolveSecretRef('env:UNSET', sources), (error) => isAppError(error, 'config_invalid') && error.message.includes('env:UNSET'));
  await assert.rejects(resolveSecretRef('file:/nope', sources), (error) => isAppError(error, 'config_invalid') && error.message.includes('/nope'));
  await assert.rejects(resolveSecretRef('plain', sources), (error) => isAppError(error, 'config_invalid'));
});

test('the public view of a resource has no secret references or usernames', () => {
  const resource = resourceSchema.parse({
    id: 'pg-prod',
    kind: 'postgres',
    name: 'Payments',
    labels: { env: 'prod' },
    connection: { host: 'db.internal', database: 'payments' },
    levels: { 'read-only': { username: 'writ_ro', password: 'env:PG_RO' }, 'read-write': { username: 'writ_rw', password: 'file:/run/secrets/rw' } },
  });
  const view = toPublicResource(resource);
  assert.deepEqual(view.levels, ['read-only', 'read-write']);
  assert.deepEqual(view.connection, { host: 'db.internal', port: 5432, database: 'payments', tls: 'require' });
  const text = JSON.stringify(view);
  for (const secret of ['env:', 'file:', 'writ_ro', 'writ_rw', 'password', 'username']) assert.equal(text.includes(secret), false, secret);
});
