// `writ verify --url` against real Writ servers over HTTP: a growing log, a split view (two servers, one key), rollback, tampering, hostile answers, the state file, --follow.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openApp, type WritApp } from '../../../app.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { buildServer } from '../../../http/server.ts';
import { createCosigner } from '../../../ledger/cosignature.ts';
import { generateSignerKey } from '../../../ledger/signed-note.ts';
import { createTestDatabase } from '../../../storage/testing/test-databases.ts';
import { isAppError } from '../../../shared/app-error.ts';
import { repoRoot, runWrit, writEnv, type WritRun } from '../../testing/run-writ.ts';
import { parseInterval } from './verify-remote.ts';

const ORIGIN = 'split.example.com/writ';
const READ_TOKEN = 'monitor-read-token-0123456789';
const key = generateSignerKey(ORIGIN);

interface ServedWrit {
  readonly url: string;
  readonly app: WritApp;
  /** Appends `count` events tagged `tag`, waits for them to be sequenced, and returns the checkpoint note now served. */
  append(count: number, tag: string): Promise<string>;
  close(): Promise<void>;
}

async function startWrit(): Promise<ServedWrit> {
  const database = await createTestDatabase('sqlite');
  const config = loadConfig({ dataDir: database.dataDir, logOrigin: ORIGIN, logKey: key.signerKey, logReadToken: READ_TOKEN, logLevel: 'silent' }, {}, undefined);
  const logger = pino({ level: 'silent' });
  const app = await openApp(config, { logger });
  const loop = app.startSequencer();
  const server = buildServer({ store: app.store, logger, readToken: READ_TOKEN, tileCache: app.tileCache });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as AddressInfo;
  let appended = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    async append(count, tag) {
      const events = Array.from({ length: count }, (_, i) => ({
        type: 'app.document.viewed',
        actor: { kind: 'user', id: `${tag}-${appended + i}` },
        targets: [{ kind: 'document', id: `${tag}-doc-${appended + i}` }],
        outcome: 'success',
        data: { tag, i: appended + i },
      }));
      appended += count;
      const outcomes = await Promise.all(events.map((e) => app.recorder.record(e)));
      assert.ok(outcomes.every((o) => o.kind === 'appended'));
      await loop.drain();
      return (await app.store.latestCheckpoint())?.note ?? '';
    },
    async close() {
      await server.close();
      await app.close();
      await database.dispose();
    },
  };
}

type Transform = (path: string, status: number, body: Buffer) => { status: number; body: Buffer; headers?: Record<string, string> };

/** A hostile server in front of a Writ: forwards each GET to `upstream.url` (switchable) and lets a test rewrite the answer. */
async function startProxy(upstream: { url: string }, transform: Transform = (_p, status, body) => ({ status, body })): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    void fetch(`${upstream.url}${path}`, { headers: request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization } })
      .then(async (answer) => {
        const out = transform(path, answer.status, Buffer.from(await answer.arrayBuffer()));
        response.writeHead(out.status, { 'content-type': 'application/octet-stream', ...out.headers });
        response.end(out.body);
      })
      .catch(() => {
        response.writeHead(502);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

let scratch: string;
const servers: ServedWrit[] = [];
const proxies: Server[] = [];

async function writ(): Promise<ServedWrit> {
  const served = await startWrit();
  servers.push(served);
  return served;
}

async function proxy(upstream: { url: string }, transform?: Transform): Promise<string> {
  const started = await startProxy(upstream, transform);
  proxies.push(started.server);
  return started.url;
}

let stateCount = 0;
function statePath(): string {
  stateCount += 1;
  return join(scratch, `state-${stateCount}`, 'monitor.json');
}

function monitor(url: string, ...extra: string[]): Promise<WritRun> {
  return runWrit(['verify', '--url', url, '--vkey', key.verifierKey, ...extra]);
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'writ-monitor-'));
});

after(async () => {
  await Promise.all(proxies.map(closeServer));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(scratch, { recursive: true, force: true });
});

describe('writ verify --url', () => {
  test('--interval takes 100ms to 24h in ms, s, m or h', () => {
    assert.deepEqual(['500ms', '30s', '5m', '1h', '24h'].map(parseInterval), [500, 30_000, 300_000, 3_600_000, 86_400_000]);
    for (const bad of ['0s', '99ms', '10', '2d', '25h', ' 5m', '5 m', '-1s', '1.5s']) {
      assert.throws(() => parseInterval(bad), (error) => isAppError(error, 'invalid_input') && error.message.includes('must be a duration from 100ms to 24h'), bad);
    }
  });

  test('follows a growing log: first use, then consistency, with the state stored atomically (mode 0600) and --entries', async () => {
    const a = await writ();
    const state = statePath();
    await a.append(300, 'a');
    const alone = await monitor(a.url);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /OK split\.example\.com\/writ size 300 root .*: checkpoint verified \(no --state: consistency with earlier checkpoints not checked\)/);
    const first = await monitor(a.url, '--state', state);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /size 300 .*trusted on first use/);
    const note = await a.append(250, 'a');
    const second = await monitor(a.url, '--state', state, '--json');
    assert.equal(second.code, 0, second.stderr);
    const line = JSON.parse(second.stdout) as Record<string, unknown>;
    assert.deepEqual([line.ok, line.size, line.previousSize, line.consistency, line.entriesChecked], [true, 550, 300, 'proved', 0]);
    const stored = JSON.parse(readFileSync(state, 'utf8')) as Record<string, unknown>;
    assert.equal(stored.checkpoint, note);
    assert.equal(statSync(state).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(state, '..')), ['monitor.json']);
    const entries = await monitor(a.url, '--state', state, '--entries', '--read-token', READ_TOKEN);
    assert.equal(entries.code, 0, entries.stderr);
    assert.match(entries.stdout, /size 550 .*unchanged; 550 entries re-hashed/);
    await a.append(10, 'a');
    const more = await runWrit(['verify', '--url', a.url, '--vkey', key.verifierKey, '--state', state, '--entries', '--json'], { env: { WRIT_LOG_READ_TOKEN: READ_TOKEN } });
    assert.equal((JSON.parse(more.stdout) as { entriesChecked: number }).entriesChecked, 10);
  });

  test('catches a split view: two Writ servers with the same key serving different trees', async () => {
    const [a, b, c] = [await writ(), await writ(), await writ()];
    const noteA = await a.append(20, 'a');
    const noteB = await b.append(30, 'b');
    const noteC = await c.append(20, 'c');
    const state = statePath();
    assert.equal((await monitor(a.url, '--state', state)).code, 0);
    const before = readFileSync(state, 'utf8');
    const split = await monitor(b.url, '--state', state);
    assert.equal(split.code, 1);
    assert.match(split.stderr, /the log's tree of size 30 does not extend the tree of size 20 it signed before: a split view/);
    assert.ok(split.stdout.includes(`--- checkpoint verified earlier ---\n${noteA}`), split.stdout);
    assert.ok(split.stdout.includes(`--- checkpoint served now ---\n${noteB}`), split.stdout);
    assert.equal(readFileSync(state, 'utf8'), before, 'the state still holds the checkpoint verified earlier');
    const evidence = readdirSync(join(state, '..')).filter((f) => f.includes('.evidence-'));
    assert.equal(evidence.length, 1);
    const evidenceText = readFileSync(join(state, '..', evidence[0] ?? ''), 'utf8');
    assert.ok(evidenceText.includes(noteA) && evidenceText.includes(noteB));
    const fork = await monitor(c.url, '--state', state, '--json');
    assert.equal(fork.code, 1);
    const found = JSON.parse(fork.stdout) as Record<string, unknown>;
    assert.deepEqual([found.problem, found.stored, found.presented], ['fork', noteA, noteC]);
  });

  test('catches a rollback: an older checkpoint served after a newer one', async () => {
    const a = await writ();
    const old = await a.append(40, 'a');
    await a.append(40, 'a');
    const state = statePath();
    assert.equal((await monitor(a.url, '--state', state)).code, 0);
    const rolledBack = await proxy(a, (path, status, body) => (path === '/log/checkpoint' ? { status, body: Buffer.from(old) } : { status, body }));
    const run = await monitor(rolledBack, '--state', state);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the log rolled back: it serves a tree of size 40 after signing one of size 80/);
    assert.ok(run.stdout.includes(old));
  });

  test('catches a tampered tile, in the tiles of the root and in those of a consistency proof', async () => {
    const a = await writ();
    await a.append(300, 'a');
    const flip = (target: string): Transform => (path, status, body) => {
      if (path === target) body[5] = (body[5] ?? 0) ^ 1;
      return { status, body };
    };
    const onRoot = await monitor(await proxy(a, flip('/log/tile/0/001.p/44')));
    assert.equal(onRoot.code, 1);
    assert.match(onRoot.stderr, /the tiles served do not hash to the root of the checkpoint of size 300/);
    const state = statePath();
    assert.equal((await monitor(a.url, '--state', state)).code, 0);
    await a.append(300, 'a');
    const onProof = await monitor(await proxy(a, flip('/log/tile/0/001')), '--state', state);
    assert.equal(onProof.code, 1);
    assert.match(onProof.stderr, /does not extend the tree of size 300/);
  });

  test('--entries catches a served entry that does not hash to its leaf', async () => {
    const a = await writ();
    await a.append(300, 'a');
    const altered = await proxy(a, (path, status, body) => {
      if (path === '/log/tile/entries/001.p/44') body[30] = (body[30] ?? 0) ^ 1;
      return { status, body };
    });
    const run = await monitor(altered, '--entries', '--read-token', READ_TOKEN);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /entry 256 does not hash to its leaf hash in tile 0\/1/);
    const refused = await monitor(a.url, '--entries', '--read-token', 'not-the-read-token-0000');
    assert.equal(refused.code, 77);
    assert.match(refused.stderr, /refused entry bundle .* \(HTTP 401\): give the log read token/);
    const missing = await monitor(a.url, '--entries');
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /--entries needs the log read token/);
  });

  test('hostile answers get clear errors: oversized, wrong lengths, bad signatures, redirects to another host', async () => {
    const a = await writ();
    const note = await a.append(10, 'a');
    const huge = await monitor(await proxy(a, (_p, status) => ({ status, body: Buffer.alloc(100_000, 0x41) })));
    assert.equal(huge.code, 69);
    assert.match(huge.stderr, /answer to GET .*\/log\/checkpoint is larger than 65536 bytes: refused/);
    const long = await monitor(await proxy(a, (path, status, body) => ({ status, body: path.startsWith('/log/tile/') ? Buffer.concat([body, Buffer.from([0])]) : body })));
    assert.equal(long.code, 69);
    assert.match(long.stderr, /the server's answer to GET .*\/log\/tile\/0\/000\.p\/10 is larger than 320 bytes: refused/);
    const short = await monitor(await proxy(a, (path, status, body) => ({ status, body: path.startsWith('/log/tile/') ? body.subarray(1) : body })));
    assert.equal(short.code, 69);
    assert.match(short.stderr, /the server sent 319 bytes for tile\/0\/000\.p\/10, not 320/);
    const forged = note.replace('\n10\n', '\n11\n');
    const badSignature = await monitor(await proxy(a, (path, status, body) => ({ status, body: path === '/log/checkpoint' ? Buffer.from(forged) : body })));
    assert.equal(badSignature.code, 1);
    assert.match(badSignature.stderr, /the checkpoint served does not verify: signed note has an invalid signature by split\.example\.com\/writ\+/);
    const elsewhere = await proxy(a, () => ({ status: 302, body: Buffer.alloc(0), headers: { location: 'http://127.0.0.2:9/log/checkpoint' } }));
    const redirected = await monitor(elsewhere);
    assert.equal(redirected.code, 69);
    assert.match(redirected.stderr, /redirects to http:\/\/127\.0\.0\.2:9, another host: not followed/);
    const otherKey = generateSignerKey(ORIGIN).verifierKey;
    const wrongKey = await runWrit(['verify', '--url', a.url, '--vkey', otherKey]);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /carries no signature by a known key/);
  });

  test('--policy: the checkpoint must be signed by a log of the policy and meet its quorum', async () => {
    const a = await writ();
    await a.append(5, 'a');
    const witness = createCosigner(generateSignerKey('w1.example.com').signerKey);
    const none = join(scratch, 'policy-none.txt');
    writeFileSync(none, `log ${key.verifierKey}\nquorum none\n`);
    const open = await runWrit(['verify', '--url', a.url, '--policy', none]);
    assert.equal(open.code, 0, open.stderr);
    const needsWitness = join(scratch, 'policy-w1.txt');
    writeFileSync(needsWitness, `log ${key.verifierKey}\nwitness w1 ${witness.verifierKey}\nquorum w1\n`);
    const lacking = await runWrit(['verify', '--url', a.url, '--policy', needsWitness]);
    assert.equal(lacking.code, 1);
    assert.match(lacking.stderr, /lacks the witness quorum: it needs w1, and is cosigned by none/);
    const missing = await runWrit(['verify', '--url', a.url, '--policy', join(scratch, 'no-such-policy.txt')]);
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /cannot read the witness policy file .*no-such-policy\.txt: ENOENT/);
  });

  test('a corrupt state file is a clear error and is left as it is', async () => {
    const a = await writ();
    await a.append(5, 'a');
    const state = statePath();
    assert.equal((await monitor(a.url, '--state', state)).code, 0);
    const good = readFileSync(state, 'utf8');
    for (const text of [good.slice(0, good.length / 2), good.replace(/"size": 5/, '"size": 6'), '{}']) {
      writeFileSync(state, text);
      const run = await monitor(a.url, '--state', state);
      assert.equal(run.code, 78, run.stderr);
      assert.match(run.stderr, /the monitor state file .* is corrupt \(.*\); it was left as it is/);
      assert.equal(readFileSync(state, 'utf8'), text);
    }
  });

  test('--follow checks on an interval, reports an unreachable server and keeps going, and exits on a split view', async () => {
    const [a, b] = [await writ(), await writ()];
    await a.append(10, 'a');
    await b.append(30, 'b');
    const upstream = { url: a.url };
    let down = false;
    const front = await proxy(upstream, (_path, status, body) => (down ? { status: 503, body: Buffer.alloc(0) } : { status, body }));
    const child = spawn(process.execPath, [join(repoRoot, 'bin/writ.js'), 'verify', '--url', front, '--vkey', key.verifierKey, '--state', statePath(), '--follow', '--interval', '100ms', '--json'], {
      env: writEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let pending = '';
    const waiters: { test: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n')) {
        const line = JSON.parse(pending.slice(0, at)) as Record<string, unknown>;
        pending = pending.slice(at + 1);
        lines.push(line);
        for (const w of waiters.filter((x) => x.test(line))) w.resolve();
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const seen = (predicate: (l: Record<string, unknown>) => boolean): Promise<void> =>
      lines.some(predicate) ? Promise.resolve() : new Promise((resolve) => waiters.push({ test: predicate, resolve }));
    try {
      await seen((l) => l.ok === true && l.size === 10);
      await a.append(5, 'a');
      await seen((l) => l.ok === true && l.size === 15 && l.consistency === 'proved');
      down = true;
      await seen((l) => l.ok === false && l.error === 'unavailable');
      down = false;
      await seen((l) => l.ok === true && lines.indexOf(l) > lines.findIndex((x) => x.error === 'unavailable'));
      upstream.url = b.url;
      assert.equal(await exited, 1);
      const last = lines.at(-1);
      assert.equal(last?.problem, 'inconsistent');
    } finally {
      child.kill();
    }
  });
});
