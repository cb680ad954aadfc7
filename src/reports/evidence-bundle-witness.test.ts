// Evidence bundles of a witnessed log: the cosigned published checkpoint and the policy travel in the bundle, and the quorum is checked.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { openApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { verifyEvidenceBundle } from '../events/evidence-bundle-verifier.ts';
import { cosignCheckpoint, createCosigner } from '../ledger/cosignature.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { generateSignerKey, splitSignedNote } from '../ledger/signed-note.ts';
import { withCosignatures } from '../ledger/witness-policy.ts';
import { createManualClock } from '../shared/clock.ts';
import { createTestDatabase } from '../storage/testing/test-databases.ts';
import { prepareEvidenceBundle } from './evidence-bundle-export.ts';
import { packBundle, readBundleTar } from './evidence-bundle-tar.ts';

async function bytesOf(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

test('a bundle of a witnessed log carries the cosigned checkpoint and the policy; the quorum is checked', async () => {
  const db = await createTestDatabase('sqlite');
  const log = generateSignerKey('test.writ/log');
  const w1 = createCosigner(generateSignerKey('witness.example/w1').signerKey);
  const w2 = createCosigner(generateSignerKey('witness.example/w2').signerKey);
  const policyFile = join(db.dataDir, 'witness-policy');
  writeFileSync(policyFile, `log ${log.verifierKey}\nwitness w1 ${w1.verifierKey} http://127.0.0.1:9/w1\nwitness w2 ${w2.verifierKey} http://127.0.0.1:9/w2\ngroup any 1 w1 w2\nquorum any\n`);
  const config = loadConfig({ dataDir: db.dataDir, logOrigin: 'test.writ/log', logKey: log.signerKey, witnessPolicyFile: policyFile }, {}, undefined);
  const clock = createManualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  try {
    assert.ok(app.witnessPolicy !== undefined);
    for (let i = 0; i < 20; i++) {
      const entry = app.auditEntry({ type: 'app.document.viewed', actor: { kind: 'user', id: 'u1', name: 'Una' }, outcome: 'success', data: { i } });
      await app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
    }
    await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 1000 });
    const signed = await app.store.latestCheckpoint();
    assert.ok(signed !== undefined);
    const cosigned = withCosignatures(signed.note, [cosignCheckpoint(w1, splitSignedNote(signed.note).text, Math.floor(clock.nowMs() / 1000))]);
    await app.store.publishCheckpoint({ ...signed, note: cosigned }, clock.nowMs());

    const deps = { store: app.store, search: app.eventSearch, tiles: app.tileCache, verifierKey: app.signer.verifierKey, witnessPolicyText: app.witnessPolicy.text, nowMs: () => clock.nowMs(), tool: 'writ test' };
    const bundle = await prepareEvidenceBundle(deps, { redact: false });
    const bytes = await bytesOf(packBundle(bundle.members(), new Date(clock.nowMs())));
    const files = readBundleTar(bytes);
    assert.equal(Buffer.from(files.get('checkpoint') ?? []).toString('utf8'), cosigned, 'the published, cosigned checkpoint is the one in the bundle');

    const report = verifyEvidenceBundle(files, { verifierKeys: [log.verifierKey] });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.policySource, 'bundle');
    assert.deepEqual(report.cosigners, ['w1']);
    assert.match(report.warnings.join('\n'), /witness policy was taken from the bundle itself/);

    const stricter = `log ${log.verifierKey}\nwitness w2 ${w2.verifierKey}\nquorum w2\n`;
    const refused = verifyEvidenceBundle(files, { verifierKeys: [log.verifierKey], policyText: stricter });
    assert.equal(refused.ok, false);
    assert.equal(refused.policySource, 'given');
    assert.match(refused.problems.map((p) => p.message).join('\n'), /does not satisfy the --policy file: .*lacks the witness quorum/);

    const withoutPolicy = new Map(files);
    withoutPolicy.delete('witness-policy');
    const missing = verifyEvidenceBundle(withoutPolicy, { verifierKeys: [log.verifierKey] });
    assert.match(missing.problems.map((p) => p.message).join('\n'), /says the witness policy is included, and it is not/);
  } finally {
    await app.close();
    await db.dispose();
  }
});
