// GET /api/v1/log/verifier-key: public, the key that verifies this log's checkpoints, documented in OpenAPI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSigner, createVerifier, generateSignerKey, openNote, signNote } from '../ledger/signed-note.ts';
import { createApiHarness } from './testing/api-harness.ts';

test('GET /api/v1/log/verifier-key answers without credentials with the key that verifies the log’s notes', async () => {
  const h = await createApiHarness('sqlite');
  try {
    const answer = await h.call('GET', '/api/v1/log/verifier-key');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.verifierKey, h.app.signer.verifierKey);
    assert.equal(answer.body.origin, 'test.writ/log');
    assert.deepEqual(answer.body.witnesses, []);
    const served = createVerifier(answer.body.verifierKey);
    const note = signNote('test.writ/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', [h.app.signer]);
    assert.equal(openNote(note, [served]).text.startsWith('test.writ/log\n'), true);
    const impostor = createSigner(generateSignerKey('test.writ/log').signerKey);
    assert.throws(() => openNote(signNote('test.writ/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', [impostor]), [served]));
    const doc = await h.call('GET', '/api/openapi.json');
    assert.ok(Object.keys(doc.body.paths as object).includes('/api/v1/log/verifier-key'));
  } finally {
    await h.close();
  }
});
