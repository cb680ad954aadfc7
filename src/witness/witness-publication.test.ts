// The log side of witnessing, end to end with real witness servers: publication waits for the quorum, appends never
// do; receipts carry the cosignatures; a new process learns the witnesses' sizes; a witness on another tree is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import { formatCheckpoint } from '../ledger/checkpoint.ts';
import { receiptFor } from '../ledger/log-reader.ts';
import { parseReceipt } from '../ledger/receipt.ts';
import { createSigner, generateSignerKey, signNote } from '../ledger/signed-note.ts';
import { checkCheckpointWithPolicy, parseWitnessPolicy } from '../ledger/witness-policy.ts';
import { addCheckpointBody } from '../ledger/witness-publisher.ts';
import { buildServer } from '../http/server.ts';
import { eventually } from '../gateway/postgres/testing/gateway-test-helpers.ts';
import { createTestDatabase, type TestDatabase } from '../storage/testing/test-databases.ts';
import { loadWitnessCosigner } from './witness-key-file.ts';
import { startWitnessServer, type RunningWitness } from './witness-server.ts';
import { openWitnessStore } from './witness-store.ts';

const ORIGIN = 'audit.example.com/writ';
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'writ-publication-'));
  dirs.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Witness {
  readonly name: string;
  readonly verifierKey: string;
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function witnessOn(name: string, logVerifierKey: string): Promise<Witness> {
  const dataDir = newDir();
  const port = await freePort();
  const cosigner = loadWitnessCosigner({ dataDir, name });
  let running: { server: RunningWitness; close: () => void } | undefined;
  return {
    name,
    verifierKey: cosigner.verifierKey,
    url: `http://127.0.0.1:${port}`,
    async start() {
      const store = openWitnessStore(dataDir);
      const server = await startWitnessServer({ store, cosigner, logVerifierKeys: [logVerifierKey] }, { host: '127.0.0.1', port });
      running = { server, close: () => { store.close(); } };
    },
    async stop() {
      await running?.server.close();
      running?.close();
      running = undefined;
    },
  };
}

function event(i: number): Record<string, unknown> {
  return { type: 'app.document.viewed', actor: { kind: 'user', id: `u${i}` }, targets: [{ kind: 'document', id: `d${i}` }], outcome: 'success', data: { i } };
}

async function appendAndSequence(app: WritApp, from: number, count: number): Promise<void> {
  const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => app.recorder.record(event(from + i))));
  assert.ok(outcomes.every((o) => o.kind === 'appended'));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`witness publication (${backend})`, () => {
    test('publication waits for the quorum while appends go on; receipts then carry every cosignature', async (t) => {
      const logKey = generateSignerKey(ORIGIN);
      const a = await witnessOn('witness-a.example.com', logKey.verifierKey);
      const b = await witnessOn('witness-b.example.com', logKey.verifierKey);
      await a.start();
      const policyText = `log ${logKey.verifierKey}\nwitness a ${a.verifierKey} ${a.url}\nwitness b ${b.verifierKey} ${b.url}\ngroup both all a b\nquorum both\n`;
      const policyFile = join(newDir(), 'witnesses.policy');
      writeFileSync(policyFile, policyText);
      const database: TestDatabase = await createTestDatabase(backend);
      const config = loadConfig({ dataDir: database.dataDir, pgUrl: database.pgUrl, logOrigin: ORIGIN, logLevel: 'silent' }, { WRIT_LOG_KEY: logKey.signerKey, WRIT_WITNESS_POLICY: policyFile }, undefined);
      const app = await openApp(config, { logger: pino({ level: 'silent' }) });
      const server = buildServer({ store: app.store, logger: pino({ level: 'silent' }), readToken: undefined, publication: () => app.publication() });
      t.after(async () => {
        await server.close();
        await app.close();
        await a.stop();
        await b.stop();
        await database.dispose();
      });

      const loop = app.startSequencer();
      await appendAndSequence(app, 0, 10);
      await loop.drain();
      assert.equal((await app.store.latestCheckpoint())?.size, 10, 'the entries are signed although a witness is down');
      const down = await eventually('witness b to be reported down', () => Promise.resolve(app.publication()?.witnesses.find((w) => w.name === 'b' && w.lastError !== undefined)));
      assert.match(down.lastError ?? '', /fetch failed|ECONNREFUSED/);
      assert.equal(await app.store.latestPublishedCheckpoint(), undefined, 'nothing is published without the quorum');
      const unpublished = await server.inject({ method: 'GET', url: '/log/checkpoint' });
      assert.equal(unpublished.statusCode, 503);
      assert.match(unpublished.body, /no checkpoint is published yet/);
      const metrics = await server.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^writ_witness_up\{witness="b"\} 0$/m);
      assert.match(metrics.body, /^writ_log_signed_size 10$/m);
      assert.match(metrics.body, /^writ_log_published_size 0$/m);
      const health = await server.inject({ method: 'GET', url: '/healthz' });
      assert.equal((health.json<{ publication: { signedSize: number } }>()).publication.signedSize, 10);

      await b.start();
      await appendAndSequence(app, 10, 5);
      await loop.drain();
      const published = await eventually('checkpoint 15 to be published', async () => {
        const checkpoint = await app.store.latestPublishedCheckpoint();
        return checkpoint?.size === 15 ? checkpoint : undefined;
      });
      const policy = parseWitnessPolicy(policyText);
      assert.deepEqual([...checkCheckpointWithPolicy(published.note, policy).cosigners].sort(), ['a', 'b']);
      const served = await server.inject({ method: 'GET', url: '/log/checkpoint' });
      assert.equal(served.body, published.note);
      const receipt = parseReceipt(await receiptFor(app.store, 3));
      assert.equal(receipt.checkpointNote, published.note, 'the receipt is proven against the cosigned checkpoint');
      const healthy = await server.inject({ method: 'GET', url: '/healthz' });
      assert.equal(healthy.json<{ status: string }>().status, 'ok');
    });

    test('a new process learns the witness sizes from 409 answers; a witness that saw another tree does not count', async (t) => {
      if (backend === 'postgres' && (process.env.WRIT_TEST_PG_URL ?? '') === '') {
        t.skip('skipped on embedded PGlite: it shares one backend between connections, so a second process cannot run beside the first (set WRIT_TEST_PG_URL)');
        return;
      }
      const logKey = generateSignerKey(ORIGIN);
      const a = await witnessOn('witness-a.example.com', logKey.verifierKey);
      const forked = await witnessOn('witness-f.example.com', logKey.verifierKey);
      await a.start();
      await forked.start();
      // The forked witness has cosigned a different tree of size 50 under the same key.
      const fakeRoot = Buffer.alloc(32, 7);
      const fakeNote = signNote(formatCheckpoint({ origin: ORIGIN, size: 50, rootHash: fakeRoot, extensions: [] }), [createSigner(logKey.signerKey)]);
      const fake = await fetch(`${forked.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(0, [], fakeNote) });
      assert.equal(fake.status, 200);
      const policyText = `log ${logKey.verifierKey}\nwitness a ${a.verifierKey} ${a.url}\nwitness f ${forked.verifierKey} ${forked.url}\ngroup any-one any a f\nquorum any-one\n`;
      const policyFile = join(newDir(), 'witnesses.policy');
      writeFileSync(policyFile, policyText);
      const database: TestDatabase = await createTestDatabase(backend);
      const config = loadConfig({ dataDir: database.dataDir, pgUrl: database.pgUrl, logOrigin: ORIGIN, logLevel: 'silent' }, { WRIT_LOG_KEY: logKey.signerKey, WRIT_WITNESS_POLICY: policyFile }, undefined);
      t.after(async () => {
        await a.stop();
        await forked.stop();
        await database.dispose();
      });

      for (const [from, count] of [[0, 20], [20, 7]] as const) {
        const app = await openApp(config, { logger: pino({ level: 'silent' }) });
        try {
          const loop = app.startSequencer();
          await appendAndSequence(app, from, count);
          await loop.drain();
          const size = from + count;
          const published = await eventually(`checkpoint ${size} to be published`, async () => {
            const checkpoint = await app.store.latestPublishedCheckpoint();
            return checkpoint?.size === size ? checkpoint : undefined;
          });
          assert.deepEqual(checkCheckpointWithPolicy(published.note, parseWitnessPolicy(policyText)).cosigners, ['a']);
          const f = await eventually('the forked witness to be reported', () => Promise.resolve(app.publication()?.witnesses.find((w) => w.name === 'f' && w.lastError !== undefined)));
          assert.match(f.lastError ?? '', /holds size 50, larger than this log's \d+|409|422/);
          assert.equal(f.lastCosignedSize, undefined);
        } finally {
          await app.close();
        }
      }
    });
  });
}
