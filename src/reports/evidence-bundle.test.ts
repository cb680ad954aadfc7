// Evidence bundles on both backends: export then verify offline; any changed byte, wrong key or hostile tar fails; redaction, erasure, filters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { pack as tarPack } from 'tar-stream';
import { openApp, type WritApp } from '../app.ts';
import { loadConfig } from '../config/load-config.ts';
import type { EventInput } from '../events/event-schema.ts';
import { bundleFiles } from '../events/evidence-bundle-format.ts';
import { verifyEvidenceBundle, type BundleReport } from '../events/evidence-bundle-verifier.ts';
import { eraseSubject } from '../identity/subject-erasure.ts';
import type { Principal } from '../identity/principal.ts';
import { runRetention } from '../ledger/retention-run.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { generateSignerKey } from '../ledger/signed-note.ts';
import { isAppError } from '../shared/app-error.ts';
import { createManualClock } from '../shared/clock.ts';
import { createKyselyPersonalDataEraser } from '../storage/kysely-personal-data-eraser.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../storage/testing/test-databases.ts';
import { prepareEvidenceBundle, type BundleRequest } from './evidence-bundle-export.ts';
import { packBundle, readBundleTar } from './evidence-bundle-tar.ts';

type EventActor = EventInput['actor'];
const PASSWORD = 'bundle test root 2026';
const sam: EventActor = { kind: 'user', id: 'subject-sam', name: 'Sam Person', ip: '192.0.2.7' };
const kim: EventActor = { kind: 'user', id: 'subject-kim', name: 'Kim Other' };
const robot: EventActor = { kind: 'service', id: 'robot' };

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function exportBundle(app: WritApp, request: Partial<BundleRequest> = {}): Promise<Buffer> {
  const deps = { store: app.store, search: app.eventSearch, tiles: app.tileCache, verifierKey: app.signer.verifierKey, witnessPolicyText: undefined, nowMs: () => app.clock.nowMs(), tool: 'writ test' };
  const prepared = await prepareEvidenceBundle(deps, { redact: false, ...request });
  return collect(packBundle(prepared.members(), new Date(app.clock.nowMs())));
}

function verify(bytes: Uint8Array, keys?: string[]): BundleReport {
  return verifyEvidenceBundle(readBundleTar(bytes), keys === undefined ? {} : { verifierKeys: keys });
}

/** Parses the entries files of a bundle. */
function linesOf(bytes: Uint8Array): { index: number; entry: string; personal: { kind: string } }[] {
  const files = readBundleTar(bytes);
  return [...files].filter(([name]) => name.startsWith('entries/')).flatMap(([, b]) => Buffer.from(b).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; entry: string; personal: { kind: string } }));
}

/** A copy with the byte at `offset` changed. */
function flipped(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  const old = copy[offset] ?? 0;
  // Keep ASCII letters and digits within their class so that JSON and base64 stay well-formed where they were.
  copy[offset] = old === 0x30 ? 0x31 : old === 0x39 ? 0x38 : old === 0x41 ? 0x42 : old === 0x61 ? 0x62 : old ^ 0x01;
  return copy;
}

function offsetOf(bytes: Buffer, text: string, from = 0): number {
  const at = bytes.indexOf(text, from);
  assert.ok(at >= 0, `"${text}" is in the bundle`);
  return at;
}

function problemsOf(report: BundleReport): string {
  return report.problems.map((p) => `${p.index ?? '-'} ${p.message}`).join('\n');
}

for (const backend of testBackends) {
  describe(`evidence bundles on ${backend}`, () => {
    let db: TestDatabase;
    let app: WritApp;
    let admin: Principal;
    const clock = createManualClock(Date.UTC(2026, 10, 26, 9, 0, 0));
    const append = async (actor: EventActor, type: string, outcome: 'success' | 'failure' | 'denied', extra: Partial<EventInput> = {}): Promise<void> => {
      const entry = app.auditEntry({ type, actor, outcome, data: {}, ...extra });
      await app.transactions.run((_trx, ledger) => ledger.appendPending([entry]));
    };
    const sequence = async (): Promise<void> => {
      const result = await integratePending({ store: app.store, signer: app.signer, clock: app.clock, batchSize: 5000 });
      assert.equal(result.kind, 'integrated');
    };

    before(async () => {
      db = await createTestDatabase(backend);
      const config = loadConfig({ dataDir: db.dataDir, pgUrl: db.pgUrl, logOrigin: 'test.writ/log' }, {}, undefined);
      app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
      await app.identity.bootstrapAdmin({ password: PASSWORD });
      const signedIn = await app.identity.login({ username: 'admin', password: PASSWORD, ip: '192.0.2.1', userAgent: 'test' });
      if (signedIn.kind !== 'signed-in') throw new Error('admin sign-in failed');
      admin = signedIn.principal;
      for (let i = 0; i < 1100; i++) {
        const actor = i % 3 === 0 ? sam : i % 3 === 1 ? kim : robot;
        const outcome = i % 5 === 0 ? 'denied' : 'success';
        const type = i % 2 === 0 ? 'app.document.viewed' : 'app.report.created';
        await append(actor, type, outcome, { targets: [{ kind: 'document', id: `doc-${i % 7}` }], context: { requestId: `req-${i % 11}` }, personal: i % 4 === 0 ? { note: `private ${i}` } : undefined });
      }
      await sequence();
    });

    after(async () => {
      await app.close();
      await db.dispose();
    });

    test('a whole-range bundle verifies offline with the log key, and with its own key (with a warning)', async () => {
      const bytes = await exportBundle(app, { from: { kind: 'index', index: 0 }, to: { kind: 'index', index: 1050 } });
      const report = verify(bytes, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      assert.equal(report.entriesChecked, 1050);
      assert.equal(report.keySource, 'given');
      assert.deepEqual(report.warnings, []);
      assert.ok(report.personal.included > 0 && report.personal.none > 0);
      const own = verify(bytes);
      assert.equal(own.ok, true, problemsOf(own));
      assert.equal(own.keySource, 'bundle');
      assert.match(own.warnings.join('\n'), /taken from the bundle itself/);
      assert.deepEqual(linesOf(bytes).map((l) => l.index), Array.from({ length: 1050 }, (_, i) => i));
    });

    test('another key, or any one changed byte of an entry, a proof, the checkpoint, a personal value or the manifest, fails', async () => {
      const bytes = await exportBundle(app, { from: { kind: 'index', index: 10 }, to: { kind: 'index', index: 20 } });
      assert.equal(verify(bytes, [app.signer.verifierKey]).ok, true);
      const other = generateSignerKey('test.writ/log').verifierKey;
      assert.match(problemsOf(verify(bytes, [other])), /checkpoint does not verify with the trusted key/);

      const cases: { name: string; offset: number; expect: RegExp }[] = [];
      const entryAt = offsetOf(bytes, '{"entry":"{') + '{"entry":"{"'.length + 3;
      cases.push({ name: 'an entry byte', offset: entryAt, expect: /^10 .*inclusion proof does not place this entry|^10 .*not JSON|^10 .*id is not/ });
      const proofLine = offsetOf(bytes, 'index 12\\n') + 'index 12\\n'.length + 5;
      cases.push({ name: 'a proof hash', offset: proofLine, expect: /^12 .*(inclusion proof does not place|receipt is malformed)/ });
      const checkpointFile = offsetOf(bytes, 'test.writ/log\n');
      cases.push({ name: 'the checkpoint root', offset: checkpointFile + 'test.writ/log\n'.length + 6, expect: /checkpoint does not verify/ });
      const valueAt = offsetOf(bytes, '"kind":"included","salt":"');
      const value = offsetOf(bytes, '"value":"{', valueAt) + '"value":"{'.length + 4;
      cases.push({ name: 'a personal value', offset: value, expect: /do not match the commitment|not an entry line|not JSON/ });
      const count = offsetOf(bytes, '"entryCount":10') + '"entryCount":1'.length;
      cases.push({ name: 'the manifest count', offset: count, expect: /manifest.json says \d+ entries, the bundle holds 10/ });
      cases.push({ name: 'a tar header', offset: offsetOf(bytes, 'manifest.json\0') + 2, expect: /wrong checksum|not a plain relative path/ });
      for (const c of cases) {
        let message: string;
        try {
          const report = verify(flipped(bytes, c.offset), [app.signer.verifierKey]);
          assert.equal(report.ok, false, `changing ${c.name} must fail`);
          message = problemsOf(report);
        } catch (error) {
          assert.ok(isAppError(error, 'ledger_inconsistent'), `changing ${c.name}: ${String(error)}`);
          message = error.message;
        }
        assert.match(message, c.expect, `changing ${c.name}`);
      }
      const padding = offsetOf(bytes, 'keys/log.vkey\0');
      const vkeyEnd = offsetOf(bytes, `${app.signer.verifierKey}\n`, padding) + app.signer.verifierKey.length + 1;
      assert.throws(() => verify(flipped(bytes, vkeyEnd + 3)), /padding after "keys\/log.vkey" is not zero/);
      assert.throws(() => verify(flipped(bytes, bytes.length - 3)), /non-zero bytes after the end-of-archive/);
    });

    test('a redacted bundle carries commitments only and verifies', async () => {
      const bytes = await exportBundle(app, { from: { kind: 'index', index: 0 }, to: { kind: 'index', index: 40 }, redact: true });
      const report = verify(bytes, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      assert.equal(report.redacted, true);
      assert.equal(report.personal.included, 0);
      assert.ok(report.personal.redacted > 0);
      assert.equal(bytes.indexOf('Sam Person'), -1, 'no personal value travels');
    });

    test('filters select exactly the matching entries, and the verifier holds them to the selection', async () => {
      const all = linesOf(await exportBundle(app));
      const parsed = all.map((l) => ({ index: l.index, e: JSON.parse(l.entry) as { type: string; actor: { id: string }; outcome: string; targets?: { id: string }[]; context?: { requestId: string } } }));
      const request: Partial<BundleRequest> = { from: { kind: 'index', index: 100 }, to: { kind: 'index', index: 900 }, type: 'app.document.*', actor: 'subject-sam', outcome: 'denied', target: 'document:doc-3' };
      const expected = parsed
        .filter(({ index, e }) => index >= 100 && index < 900 && e.type.startsWith('app.document.') && e.actor.id === 'subject-sam' && e.outcome === 'denied' && (e.targets ?? []).some((t) => t.id === 'doc-3'))
        .map((x) => x.index);
      assert.ok(expected.length > 0, 'the fixture has matching entries');
      const bytes = await exportBundle(app, request);
      assert.deepEqual(linesOf(bytes).map((l) => l.index), expected);
      const report = verify(bytes, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      const byType = linesOf(await exportBundle(app, { type: 'app.report.created' }));
      assert.deepEqual(byType.map((l) => l.index), parsed.filter(({ e }) => e.type === 'app.report.created').map((x) => x.index));
      const byRequest = linesOf(await exportBundle(app, { requestId: 'req-5', to: { kind: 'index', index: 500 } }));
      assert.deepEqual(byRequest.map((l) => l.index), parsed.filter(({ index, e }) => index < 500 && e.context?.requestId === 'req-5').map((x) => x.index));
    });

    test("an erased subject's entries say erased, carry no value, and verify", async () => {
      await eraseSubject({ eraser: createKyselyPersonalDataEraser(app.transactions), auditEntry: app.auditEntry }, admin, 'subject-sam', 'erasure request 2026-200');
      await sequence();
      const bytes = await exportBundle(app, { actor: 'subject-sam' });
      const lines = linesOf(bytes);
      assert.ok(lines.length > 0);
      assert.ok(lines.every((l) => l.personal.kind === 'erased'), 'every personal part of sam is erased');
      assert.equal(bytes.indexOf('Sam Person'), -1);
      const report = verify(bytes, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      assert.equal(report.personal.erased, lines.length);
    });

    test('entries whose content retention removed keep their place: leaf hash and receipt, and the range still verifies', async () => {
      clock.advanceMs(3 * 24 * 3600 * 1000);
      const settings = { ...app.retention.settings, rules: [{ typePrefix: 'app.report.', keepDays: 1 }], defaultKeepDays: 'forever' as const };
      const run = await runRetention({ ...app.retention, settings }, { actor: { kind: 'system', id: 'writ' }, trigger: 'admin', dryRun: false });
      assert.ok(run.removedCount > 0);
      await sequence();
      const bytes = await exportBundle(app, { from: { kind: 'index', index: 0 }, to: { kind: 'index', index: 300 } });
      const report = verify(bytes, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      assert.equal(report.entriesChecked, 300);
      assert.ok(report.removed > 100, `${report.removed} removed entries are listed`);
      const removedAt = offsetOf(bytes, '"leafHash":"') + '"leafHash":"'.length + 2;
      assert.match(problemsOf(verify(flipped(bytes, removedAt), [app.signer.verifierKey])), /inclusion proof does not place this entry|not base64/);
    });

    test('bad selections are refused with a clear error', async () => {
      await assert.rejects(exportBundle(app, { type: 'App Document' }), (e: unknown) => isAppError(e, 'invalid_input') && /type/.test(e.message));
      await assert.rejects(exportBundle(app, { target: 'no-colon' }), (e: unknown) => isAppError(e, 'invalid_input') && /kind:id/.test(e.message));
      await assert.rejects(exportBundle(app, { from: { kind: 'index', index: 9 }, to: { kind: 'index', index: 3 } }), (e: unknown) => isAppError(e, 'invalid_input') && /before from/.test(e.message));
      const empty = await exportBundle(app, { from: { kind: 'index', index: 5 }, to: { kind: 'index', index: 5 } });
      const report = verify(empty, [app.signer.verifierKey]);
      assert.equal(report.ok, true, problemsOf(report));
      assert.equal(report.entriesChecked, 0);
    });
  });
}

async function tarOf(members: { name: string; body: string }[]): Promise<Buffer> {
  const pack = tarPack();
  for (const m of members) pack.entry({ name: m.name }, m.body);
  pack.finalize();
  return collect(pack as AsyncIterable<Buffer>);
}

test('hostile tar files are refused with a clear message', async () => {
  await assert.rejects(async () => readBundleTar(await tarOf([{ name: '../escape', body: 'x' }])), /not a plain relative path/);
  await assert.rejects(async () => readBundleTar(await tarOf([{ name: '/etc/passwd', body: 'x' }])), /not a plain relative path/);
  await assert.rejects(async () => readBundleTar(await tarOf([{ name: 'a', body: 'x' }, { name: 'a', body: 'y' }])), /appears twice/);
  const huge = await tarOf([{ name: 'README.md', body: 'x' }]);
  huge.write('77777777777\0', 124, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (huge[i] ?? 0);
  huge.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  assert.throws(() => readBundleTar(huge), /claims 8589934591 bytes, more than the file holds/);
  assert.throws(() => readBundleTar(huge.subarray(0, 700)), /not a whole number of 512-byte blocks/);
  const extra = verifyEvidenceBundle(readBundleTar(await tarOf([{ name: 'surprise.txt', body: 'x' }])), {});
  assert.equal(extra.ok, false);
  assert.match(extra.problems.map((p) => p.message).join('\n'), /unexpected file "surprise.txt"[\s\S]*README.md is missing[\s\S]*manifest.json is missing[\s\S]*checkpoint is missing/);
  assert.equal(bundleFiles.manifest, 'manifest.json');
});
