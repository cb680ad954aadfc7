// `writ log append` over one stream mixing valid and bad lines: one clear refusal per bad line, the valid ones appended in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createTestDatabase } from '../storage/testing/test-databases.ts';
import { eventObject } from './testing/events.ts';
import { parseJsonLines, runWrit, verifyJson } from './testing/run-writ.ts';

const EXACT_LINE =
  '{"type":"app.document.viewed","actor":{"kind":"user","id":"alice"},"targets":[{"kind":"document","id":"d1"}],"outcome":"success","data":{"n":1}}';

type Expected = { readonly ok: true; readonly check: (entry: Record<string, unknown>) => void } | { readonly ok: false; readonly code: string; readonly message: RegExp };

interface Case {
  readonly name: string;
  readonly bytes: Buffer | undefined;
  readonly expect: Expected | undefined;
}

const valid = (tag: string, n: number, extra: Record<string, unknown> = {}): Case => {
  const input = { ...eventObject(tag, n), ...extra };
  return {
    name: `valid ${tag}`,
    bytes: Buffer.from(JSON.stringify(input), 'utf8'),
    expect: {
      ok: true,
      check: (entry) => {
        assert.equal(entry.type, input.type);
        assert.deepEqual(entry.targets, input.targets);
        assert.deepEqual(entry.data, input.data);
        assert.equal(JSON.stringify(entry).includes('User '), false, 'the actor name is kept out of the entry');
      },
    },
  };
};

const refused = (name: string, bytes: Buffer, code: string, message: RegExp): Case => ({ name, bytes, expect: { ok: false, code, message } });

function bigParts(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`part${i}`, 'x'.repeat(8000)]));
}

const base = eventObject('bad-input', 0);
const cases: readonly Case[] = [
  {
    name: 'the README line, as is',
    bytes: Buffer.from(EXACT_LINE, 'utf8'),
    expect: {
      ok: true,
      check: (entry) => {
        assert.equal(entry.type, 'app.document.viewed');
        assert.deepEqual(entry.actor, { kind: 'user', id: 'alice' });
        assert.deepEqual(entry.targets, [{ kind: 'document', id: 'd1' }]);
        assert.equal(entry.outcome, 'success');
        assert.deepEqual(entry.data, { n: 1 });
      },
    },
  },
  refused('malformed JSON', Buffer.from('{"type":"app.document.viewed","actor":', 'utf8'), 'invalid_event', /^malformed JSON: /),
  valid('second', 2),
  refused('an unknown Writ type', Buffer.from(JSON.stringify({ ...base, type: 'access.foo.bar' }), 'utf8'), 'invalid_event', /unknown event type "access\.foo\.bar"/),
  refused(
    'an entry over 65,535 bytes on a line under 1 MiB',
    Buffer.from(JSON.stringify({ ...base, data: bigParts(9) }), 'utf8'),
    'event_too_large',
    /over the 65535-byte limit/,
  ),
  valid('near the limit', 3, { data: bigParts(7) }),
  refused(
    'invalid UTF-8',
    Buffer.concat([Buffer.from('{"type":"app.document.viewed","actor":{"kind":"user","id":"', 'utf8'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"},"outcome":"success"}', 'utf8')]),
    'invalid_event',
    /not valid UTF-8/,
  ),
  { name: 'a blank line (skipped, no acknowledgement)', bytes: Buffer.alloc(0), expect: undefined },
  refused(
    'a line with 10 MB of data',
    Buffer.from(JSON.stringify({ ...base, data: { blob: 'y'.repeat(10 * 1024 * 1024) } }), 'utf8'),
    'event_too_large',
    /over the 1048576-byte limit/,
  ),
  valid('fourth', 4),
  refused('an empty object', Buffer.from('{}', 'utf8'), 'invalid_event', /type: required/),
  refused('an unknown field', Buffer.from(JSON.stringify({ ...base, colour: 'red' }), 'utf8'), 'invalid_event', /unknown field "colour"/),
  valid('last, without a final newline', 5),
];

test('bad lines are refused one by one with the right code; the valid lines around them are appended in order', { timeout: 120_000 }, async (t) => {
  const db = await createTestDatabase('sqlite');
  t.after(() => db.dispose());
  const stdin = cases.map((c, i) => (i === cases.length - 1 ? c.bytes ?? Buffer.alloc(0) : Buffer.concat([c.bytes ?? Buffer.alloc(0), Buffer.from('\n')])));
  const run = await runWrit(['--data', db.dataDir, 'log', 'append'], { stdin });
  assert.equal(run.code, 65, run.stderr);

  type Ack = { line: number; ok: true; id: string } | { line: number; ok: false; error: { code: string; message: string } };
  const acks = parseJsonLines(run.stdout) as Ack[];
  const expected = cases.map((c, i) => ({ line: i + 1, ...c })).filter((c) => c.expect !== undefined);
  assert.deepEqual(
    acks.map((a) => a.line),
    expected.map((c) => c.line),
    'one acknowledgement per non-blank line, in input order',
  );
  const appended: { id: string; check: (entry: Record<string, unknown>) => void }[] = [];
  acks.forEach((ack, i) => {
    const c = expected[i];
    assert.ok(c?.expect !== undefined);
    if (c.expect.ok) {
      assert.ok(ack.ok, `${c.name}: ${JSON.stringify(ack)}`);
      assert.match(ack.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      appended.push({ id: ack.id, check: c.expect.check });
    } else {
      assert.ok(!ack.ok, `${c.name} must be refused`);
      assert.equal(ack.error.code, c.expect.code, `${c.name}: ${ack.error.message}`);
      assert.match(ack.error.message, c.expect.message, c.name);
      assert.ok(ack.error.message.length < 400, `${c.name}: the message is short enough to read`);
    }
  });
  assert.equal(appended.length, 5);

  // The log holds exactly the valid events, in input order.
  const sqlite = new BetterSqlite3(join(db.dataDir, 'writ.db'), { readonly: true });
  const rows = sqlite.prepare('select idx, event_id, entry from log_entries order by idx').all() as { idx: number; event_id: string; entry: Buffer }[];
  const pending = (sqlite.prepare('select count(*) as n from log_pending').get() as { n: number }).n;
  sqlite.close();
  assert.equal(pending, 0);
  assert.deepEqual(
    rows.map((r) => r.event_id),
    appended.map((a) => a.id),
  );
  rows.forEach((row, i) => {
    assert.equal(row.idx, i);
    const entry = JSON.parse(row.entry.toString('utf8')) as Record<string, unknown>;
    assert.equal(entry.id, row.event_id);
    appended[i]?.check(entry);
  });

  const [first, verified] = await Promise.all([runWrit(['--data', db.dataDir, 'log', 'entry', '0']), verifyJson(['--data', db.dataDir])]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, rows[0]?.entry.toString('utf8'), 'writ log entry prints the stored bytes exactly');
  assert.equal(verified.code, 0, `${verified.stderr} ${JSON.stringify(verified.report.problems)}`);
  assert.equal(verified.report.treeSize, appended.length);
});
