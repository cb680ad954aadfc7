// The publisher against misbehaving witnesses (a fake client): a forged cosignature, endless 409s, errors and a timeout
// never count toward the quorum, and what the honest witnesses cosign is still published.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { cosignCheckpoint, createCosigner, type Cosigner } from '../ledger/cosignature.ts';
import { generateSignerKey, splitSignedNote } from '../ledger/signed-note.ts';
import { checkCheckpointWithPolicy, parseWitnessPolicy, type WitnessPolicy } from '../ledger/witness-policy.ts';
import { startWitnessPublisher, type WitnessAnswer, type WitnessClient } from '../ledger/witness-publisher.ts';
import { createTestDatabase } from '../storage/testing/test-databases.ts';

const ORIGIN = 'audit.example.com/writ';

type Behaviour = (body: string) => Promise<WitnessAnswer>;

function checkpointTextOf(body: string): string {
  return splitSignedNote(body.slice(body.indexOf('\n\n') + 2)).text;
}

function honest(cosigner: Cosigner): Behaviour {
  return (body) => Promise.resolve({ status: 200, contentType: 'text/plain', body: cosignCheckpoint(cosigner, checkpointTextOf(body), 1_700_000_000) });
}

/** A log whose store publishes only under `policyText(logVerifierKey)`; its own publisher is not started. */
async function withLog(policyText: (logVerifierKey: string) => string, work: (app: WritApp, policy: WitnessPolicy) => Promise<void>): Promise<void> {
  const database = await createTestDatabase('sqlite');
  const logKey = generateSignerKey(ORIGIN);
  const policyFile = join(database.dataDir, 'witnesses.policy');
  mkdirSync(database.dataDir, { recursive: true });
  writeFileSync(policyFile, policyText(logKey.verifierKey));
  const config = loadConfig({ dataDir: database.dataDir, logOrigin: ORIGIN, logLevel: 'silent' }, { WRIT_LOG_KEY: logKey.signerKey, WRIT_WITNESS_POLICY: policyFile }, undefined);
  const app = await openApp(config, { logger: pino({ level: 'silent' }) });
  try {
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => app.recorder.record({ type: 'app.document.viewed', actor: { kind: 'user', id: `u${i}` }, outcome: 'success', data: { i } })));
    assert.ok(outcomes.every((o) => o.kind === 'appended'));
    await app.startSequencer({ publish: false }).drain();
    await work(app, parseWitnessPolicy(readFileSync(policyFile, 'utf8')));
  } finally {
    await app.close();
    await database.dispose();
  }
}

test('only valid cosignatures count: a forged one, endless 409s, a 500 and a timeout are reported, the honest quorum publishes', async () => {
  const names = ['good-1', 'good-2', 'forger', 'stale', 'broken', 'silent'];
  const keys = names.map((n) => createCosigner(generateSignerKey(`${n}.example.com`).signerKey));
  const [good1, good2, , , broken] = keys as [Cosigner, Cosigner, Cosigner, Cosigner, Cosigner, Cosigner];
  const policyText = (logVerifierKey: string): string =>
    [`log ${logVerifierKey}`, ...names.map((n, i) => `witness ${n} ${keys[i]?.verifierKey ?? ''} http://${n}`), `group three 3 ${names.join(' ')}`, 'quorum three', ''].join('\n');
  await withLog(policyText, async (app, policy) => {
    const impostor = createCosigner(generateSignerKey('forger.example.com').signerKey);
    const behaviours = new Map<string, Behaviour>([
      ['http://good-1', honest(good1)],
      ['http://good-2', honest(good2)],
      ['http://forger', honest(impostor)],
      ['http://stale', () => Promise.resolve({ status: 409, contentType: 'text/x.tlog.size', body: '3\n' })],
      ['http://broken', () => Promise.resolve({ status: 500, contentType: 'text/plain', body: 'internal error\n' })],
      ['http://silent', () => Promise.reject(new Error('The operation was aborted due to timeout'))],
    ]);
    const requests: string[] = [];
    const client: WitnessClient = {
      addCheckpoint: (url, body) => {
        requests.push(url);
        return (behaviours.get(url) ?? (() => Promise.reject(new Error('unknown'))))(body);
      },
    };
    const errors: string[] = [];
    const publisher = startWitnessPublisher({ store: app.store, policy, client, clock: app.clock, onError: (m) => errors.push(m), retry: { minMs: 60_000, maxMs: 60_000 } });
    try {
      assert.equal(await publisher.publishNow(), false, 'two honest witnesses are not the quorum of three');
      assert.equal(await app.store.latestPublishedCheckpoint(), undefined);
      const status = new Map(publisher.status().witnesses.map((w) => [w.name, w]));
      assert.match(status.get('forger')?.lastError ?? '', /answered 200 without a valid cosignature/);
      assert.match(status.get('stale')?.lastError ?? '', /kept answering 409/);
      assert.match(status.get('broken')?.lastError ?? '', /answered 500: internal error/);
      assert.match(status.get('silent')?.lastError ?? '', /timeout/);
      assert.equal(status.get('good-1')?.lastCosignedSize, 12);
      assert.equal(requests.filter((u) => u === 'http://stale').length, 2, 'a 409 is retried once from the size it names');
      assert.ok(errors.some((e) => /needs 3 of \{good-1, good-2, forger, stale, broken, silent\}, and has good-1, good-2/.test(e)), errors.join('\n'));

      behaviours.set('http://broken', honest(broken));
      assert.equal(await publisher.publishNow(), true, 'published, though three witnesses have not cosigned');
      const published = await app.store.latestPublishedCheckpoint();
      assert.equal(published?.size, 12);
      assert.deepEqual([...checkCheckpointWithPolicy(published.note, policy).cosigners].sort(), ['broken', 'good-1', 'good-2']);
    } finally {
      await publisher.stop();
    }
  });
});
