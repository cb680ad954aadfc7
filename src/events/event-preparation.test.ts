import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isAppError, type AppError } from '../shared/app-error.ts';
import { createManualClock } from '../shared/clock.ts';
import { createUuidV7Generator, isUuid } from '../shared/ids.ts';
import { prepareEvent, readEntry, verifyPersonalCommitment } from './event-preparation.ts';
import { MAX_ENTRY_BYTES } from './event-schema.ts';

const SAMPLE_LINE =
  '{"type":"app.document.viewed","actor":{"kind":"user","id":"alice"},"targets":[{"kind":"document","id":"d1"}],"outcome":"success","data":{"n":1}}';
const NOW_MS = Date.UTC(2026, 10, 25, 19, 57, 28, 123);

function deps() {
  const clock = createManualClock(NOW_MS);
  return { clock, ids: createUuidV7Generator(clock), randomBytes: (n: number) => new Uint8Array(n).fill(0xab) };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

function base(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(SAMPLE_LINE) as Record<string, unknown>), ...overrides };
}

function refusal(input: unknown, code: 'invalid_event' | 'event_too_large' = 'invalid_event'): AppError {
  try {
    prepareEvent(input, deps());
  } catch (error) {
    assert.ok(isAppError(error, code), `expected AppError ${code}, got ${String(error)}`);
    return error;
  }
  assert.fail('the event was accepted');
}

test('the sample line is accepted; id and time come from the injected clock and id generator', () => {
  const prepared = prepareEvent(JSON.parse(SAMPLE_LINE), deps());
  assert.ok(isUuid(prepared.id) && prepared.id[14] === '7', prepared.id);
  assert.equal(parseInt(prepared.id.slice(0, 8) + prepared.id.slice(9, 13), 16), NOW_MS);
  assert.equal(prepared.time, '2026-11-25T19:57:28.123Z');
  assert.equal(prepared.type, 'app.document.viewed');
  assert.equal(prepared.personal, undefined);
  assert.deepEqual(prepared.summary, { actorId: 'alice', outcome: 'success' });
  assert.equal(
    text(prepared.entry),
    `{"actor":{"id":"alice","kind":"user"},"data":{"n":1},"id":"${prepared.id}","outcome":"success",` +
      `"targets":[{"id":"d1","kind":"document"}],"time":"2026-11-25T19:57:28.123Z","type":"app.document.viewed","v":1}`,
  );
  const read = readEntry(prepared.entry, undefined);
  assert.deepEqual(read, { ...base(), v: 1, id: prepared.id, time: prepared.time });
});

test('a given id and time are kept, normalised: UUID in lower case, time in UTC with milliseconds', () => {
  const id = '0193F1E2-7C1A-7B3E-9F00-1C2D3E4F5A6B';
  const prepared = prepareEvent(base({ id, time: '2026-11-25T20:57:28.1+01:00' }), deps());
  assert.equal(prepared.id, id.toLowerCase());
  assert.equal(prepared.time, '2026-11-25T19:57:28.100Z');
});

test('a non-app type that is not in the catalogue is refused', () => {
  const error = refusal(base({ type: 'x.y.z' }));
  assert.equal(error.message, 'unknown event type "x.y.z": Writ types must be in the catalogue; events from other applications use the "app." prefix');
});

test('bad fields are refused with their path and what to fix', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [base({ type: 'App.Document.Viewed' }), /type: expected a dotted, lower-case, past-tense name/],
    [base({ type: 'app' }), /type: expected a dotted/],
    [base({ actor: { kind: 'robot', id: 'r2' } }), /actor\.kind: .*"user"\|"service"\|"system"/],
    [base({ actor: { kind: 'user', id: 'alice', nmae: 'A' } }), /actor: unknown field "nmae" \(allowed: kind, id, name, ip, userAgent, authMethod\)/],
    [base({ actor: { kind: 'user', id: 'alice', ip: '999.1.1.1' } }), /actor\.ip: expected an IPv4 or IPv6 address/],
    [base({ actor: { kind: 'user', id: 'x'.repeat(257) } }), /actor\.id: Too big: expected string to have <=256 characters/],
    [base({ targets: [{ kind: 'document' }] }), /targets\[0\]\.id: required/],
    [base({ targets: Array.from({ length: 33 }, (_, i) => ({ kind: 'document', id: `d${i}` })) }), /targets: Too big: .*<=32/],
    [base({ outcome: undefined }), /outcome: required/],
    [base({ outcome: 'ok' }), /outcome: .*"success"\|"failure"\|"denied"/],
    [base({ id: 'not-a-uuid' }), /id: expected a UUID/],
    [base({ time: '2026-02-30T10:00:00Z' }), /time: no such date: 2026-02-30/],
    [base({ time: '2026-11-25 19:57:28' }), /time: expected an RFC 3339 date-time/],
    [base({ context: { requestId: 'r1', tenant: 't' } }), /context: unknown field "tenant"/],
    [base({ reason: '' }), /reason: Too small/],
    [base({ extra: true }), /^invalid event: event: unknown field "extra"/],
    [base({ v: 2 }), /v: "app\.document\.viewed" has data schema version 1, not 2/],
    [base({ actor: { kind: 'user', id: 'a\ud800' } }), /actor\.id: text has a lone surrogate U\+D800/],
  ];
  for (const [input, message] of cases) {
    const error = refusal(input);
    assert.match(error.message, message);
  }
  assert.match(refusal([1, 2]).message, /^invalid event: event: Invalid input: expected object, received array/);
  const details = refusal(base({ actor: { kind: 'robot' }, outcome: 'ok' })).details as { issues: { path: string }[] };
  assert.deepEqual(details.issues.map((issue) => issue.path), ['actor.kind', 'actor.id', 'outcome']);
});

test('app data is free-form but bounded', () => {
  let deep: Record<string, unknown> = { leaf: 1 }; // with data itself: 8 levels, the most allowed
  for (let level = 0; level < 6; level += 1) deep = { d: deep };
  assert.ok(prepareEvent(base({ data: { d: deep } }), deps()));
  const manyKeys = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, i]));
  const cases: [unknown, RegExp][] = [
    [{ d: { d: deep } }, /data\.d\.d(\.d){6}: nested deeper than 8 levels/],
    [{ many: manyKeys }, /data\.many: has 257 keys; at most 256/],
    [{ s: 'é'.repeat(4097) }, /data\.s: text is over 8192 bytes/],
    [{ x: [1, Infinity] }, /data\.x\[1\]: Infinity is not a JSON number/],
    [{ when: new Date(0) }, /data\.when: expected JSON/],
    [[1], /data: expected a JSON object/],
    ['text', /data: expected a JSON object/],
  ];
  for (const [data, message] of cases) assert.match(refusal(base({ data })).message, message);
  assert.ok(prepareEvent(base({ data: { s: 'é'.repeat(4096), arr: [null, true, 1.5, 'x', { a: [] }] } }), deps()));
  assert.equal(text(prepareEvent(base({ data: undefined }), deps()).entry).includes('"data":{}'), true);
});

test('catalogue types check their data schema; wrong data is refused with the data path', () => {
  const request = {
    type: 'access.request.created',
    actor: { kind: 'user', id: 'alice' },
    targets: [{ kind: 'resource', id: 'pg-prod' }],
    outcome: 'success',
    data: { requestId: 'r1', kind: 'access', resourceId: 'pg-prod', level: 'read-only', durationSeconds: 3600, expiresAt: '2026-11-26T00:00:00.000Z', breakGlass: false, policy: 'prod', stages: [] },
  };
  const prepared = prepareEvent(request, deps());
  assert.match(text(prepared.entry), /"type":"access\.request\.created","v":1}$/);
  const error = refusal({ ...request, data: { ...request.data, durationSeconds: '1h', breakGIass: true } });
  assert.match(error.message, /data\.durationSeconds: Invalid input: expected number, received string/);
  assert.match(error.message, /data: unknown field "breakGIass" \(allowed: requestId, kind, grantId, resourceId, level, durationSeconds, ticket, startAt, expiresAt, breakGlass, policy, stages\)/);
  assert.match(refusal({ ...request, data: undefined }).message, /data\.requestId: required/);
  assert.match(refusal({ ...request, type: 'auth.login.failed', data: { method: 'password', failure: 'wrong' } }).message, /data\.failure: /);
});

test('an event whose stored entry would exceed 65,535 bytes is refused with its size and the limit', () => {
  const data = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`part${i}`, 'x'.repeat(8000)]));
  const error = refusal(base({ data }), 'event_too_large');
  assert.match(error.message, /^the stored event is 72\d{3} bytes of canonical JSON, over the 65535-byte limit/);
  assert.equal((error.details as { maxBytes: number }).maxBytes, MAX_ENTRY_BYTES);
  const fits = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`part${i}`, 'x'.repeat(8000)]));
  assert.ok(prepareEvent(base({ data: fits }), deps()).entry.byteLength <= MAX_ENTRY_BYTES);
});

const personalInput = base({
  actor: { kind: 'user', id: 'u-1842', name: 'Alice Example', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux)', authMethod: 'oidc' },
  personal: { email: 'alice@example.com', phone: '+44 20 7946 0000' },
});

test('personal fields stay out of the entry, which holds a commitment; readEntry joins them back', () => {
  const prepared = prepareEvent(personalInput, deps());
  const entry = text(prepared.entry);
  for (const secret of ['Alice Example', '203.0.113.7', 'Mozilla', 'alice@example.com', '7946']) {
    assert.equal(entry.includes(secret), false, `${secret} leaked into the entry`);
  }
  assert.match(entry, /"actor":\{"authMethod":"oidc","id":"u-1842","kind":"user"\}/);
  assert.ok(prepared.personal !== undefined);
  assert.equal(
    text(prepared.personal.value),
    '{"actor":{"ip":"203.0.113.7","name":"Alice Example","userAgent":"Mozilla/5.0 (X11; Linux)"},"personal":{"email":"alice@example.com","phone":"+44 20 7946 0000"}}',
  );
  const expected = createHash('sha256').update(prepared.personal.salt).update(prepared.personal.value).digest('base64');
  assert.equal((JSON.parse(entry) as { personalCommitment: string }).personalCommitment, expected);

  const read = readEntry(prepared.entry, prepared.personal.value);
  assert.deepEqual(read.actor, personalInput.actor);
  assert.deepEqual(read.personal, personalInput.personal);
  assert.equal(read.personalErased, undefined);

  const erased = readEntry(prepared.entry, undefined);
  assert.equal(erased.personalErased, true);
  assert.deepEqual(erased.actor, { kind: 'user', id: 'u-1842', authMethod: 'oidc' });
  assert.equal(erased.personal, undefined);
});

test('only the personal fields present are committed to; an event without any has no commitment', () => {
  const onlyIp = prepareEvent(base({ actor: { kind: 'service', id: 'billing', ip: '2001:db8::1' } }), deps());
  assert.equal(text(onlyIp.personal?.value ?? new Uint8Array()), '{"actor":{"ip":"2001:db8::1"}}');
  const none = prepareEvent(base({ personal: {} }), deps());
  assert.equal(none.personal, undefined);
  assert.equal(text(none.entry).includes('personalCommitment'), false);
  assert.throws(() => readEntry(none.entry, onlyIp.personal?.value), (e) => isAppError(e, 'ledger_inconsistent'));
});

test('the commitment verifies with the right salt and value and fails otherwise', () => {
  const { clock, ids } = deps();
  const prepared = prepareEvent(personalInput, { clock, ids });
  const { salt, value } = prepared.personal ?? assert.fail('no personal part');
  assert.equal(salt.byteLength, 32);
  assert.equal(verifyPersonalCommitment(prepared.entry, salt, value), true);
  const wrongSalt = Uint8Array.from(salt, (byte, i) => (i === 0 ? byte ^ 1 : byte));
  assert.equal(verifyPersonalCommitment(prepared.entry, wrongSalt, value), false);
  const wrongValue = Buffer.from(text(value).replace('Alice', 'Alicf'));
  assert.equal(verifyPersonalCommitment(prepared.entry, salt, wrongValue), false);
  assert.equal(verifyPersonalCommitment(prepared.entry, salt.subarray(1), value), false);
  assert.equal(verifyPersonalCommitment(prepareEvent(base(), deps()).entry, salt, value), false);
  assert.equal(verifyPersonalCommitment(Buffer.from('not json'), salt, value), false);
});

test('each event gets its own salt from the default random source', () => {
  const { clock, ids } = deps();
  const first = prepareEvent(personalInput, { clock, ids });
  const second = prepareEvent(personalInput, { clock, ids });
  assert.ok(first.personal !== undefined && second.personal !== undefined);
  assert.notDeepEqual(first.personal.salt, second.personal.salt);
  assert.notEqual(text(first.entry), text(second.entry));
});

test('a personal part over its limit is refused', () => {
  const personal = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}`, 'p'.repeat(4000)]));
  assert.match(refusal(base({ personal }), 'event_too_large').message, /personal part .* over the 16384-byte limit/);
});

test('readEntry refuses bytes that are not a Writ entry', () => {
  assert.throws(() => readEntry(Buffer.from('{"v":1}'), undefined), (e) => isAppError(e, 'ledger_inconsistent'));
  assert.throws(() => readEntry(Uint8Array.of(0xff), undefined), (e) => isAppError(e, 'ledger_inconsistent'));
});
