// Event search on both backends: every filter returns exactly the matching events, in order, across pages without gaps or repeats.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prepareEvent, readEntry, type AuditEvent } from '../events/event-preparation.ts';
import { toPendingEntry } from '../events/event-recorder.ts';
import type { EventFilter, EventOrder, EventSearch } from '../events/event-search.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { integratePending } from '../ledger/sequencer.ts';
import { createSigner, generateSignerKey } from '../ledger/signed-note.ts';
import { createManualClock } from '../shared/clock.ts';
import { createUuidV7Generator } from '../shared/ids.ts';
import type { OpenedDatabase } from './dialects/capabilities.ts';
import { createKyselyEventSearch, type EventSearchOptions } from './kysely-event-search.ts';
import { createKyselyLedgerStore } from './kysely-ledger-store.ts';
import { openDatabase } from './open-database.ts';
import { createTestDatabase, testBackends, type TestDatabase } from './testing/test-databases.ts';

const COUNT = 2600;
const BASE_MS = Date.UTC(2026, 10, 1);
const types = ['app.document.viewed', 'app.document.shared', 'app.docs.indexed', 'app.billing.charged', 'app.x_y.done'];

/** Varied events: every 97th is backdated by a day so time blocks overlap; some reasons use LIKE's special characters. */
function sampleEvent(i: number): Record<string, unknown> {
  const backdated = i % 97 === 5 ? 86_400_000 : 0;
  const event: Record<string, unknown> = {
    type: types[i % types.length],
    time: new Date(BASE_MS + i * 1000 - backdated).toISOString(),
    actor: { kind: 'user', id: `user-${i % 13}`, name: `Person ${i % 13}` },
    targets: [{ kind: 'document', id: `doc-${i % 41}` }, ...(i % 3 === 0 ? [{ kind: 'folder', id: `f-${i % 5}` }] : [])],
    outcome: i % 17 === 0 ? 'denied' : i % 23 === 0 ? 'failure' : 'success',
    data: { i },
  };
  if (i % 4 !== 0) event.reason = i % 11 === 0 ? `Fix 100%_done for OPS-${i % 7}` : `ticket OPS-${i % 7}: routine review`;
  if (i % 2 === 0) event.context = { requestId: `req-${i % 50}`, ...(i % 6 === 0 ? { grantId: `grant-${i % 9}` } : {}) };
  return event;
}

function matches(event: AuditEvent, filter: EventFilter): boolean {
  const checks: boolean[] = [
    filter.fromTime === undefined || event.time >= filter.fromTime,
    filter.toTime === undefined || event.time < filter.toTime,
    filter.actorId === undefined || event.actor.id === filter.actorId,
    filter.type === undefined || (filter.type.kind === 'exact' ? event.type === filter.type.type : event.type.startsWith(filter.type.prefix)),
    filter.target === undefined || event.targets.some((t) => t.kind === filter.target?.kind && t.id === filter.target.id),
    filter.outcome === undefined || event.outcome === filter.outcome,
    filter.requestId === undefined || event.context?.requestId === filter.requestId,
    filter.grantId === undefined || event.context?.grantId === filter.grantId,
    filter.reasonContains === undefined || (event.reason ?? '').toLowerCase().includes(filter.reasonContains.toLowerCase()),
  ];
  return checks.every(Boolean);
}

const at = (i: number): string => new Date(BASE_MS + i * 1000).toISOString();
const filters: readonly EventFilter[] = [
  {},
  { actorId: 'user-3' },
  { type: { kind: 'exact', type: 'app.document.shared' } },
  { type: { kind: 'prefix', prefix: 'app.document.' } },
  { type: { kind: 'prefix', prefix: 'app.doc' } },
  { type: { kind: 'prefix', prefix: 'app.x_' } },
  { type: { kind: 'prefix', prefix: 'nothing.' } },
  { target: { kind: 'document', id: 'doc-7' } },
  { target: { kind: 'folder', id: 'f-2' } },
  { outcome: 'failure' },
  { requestId: 'req-8' },
  { grantId: 'grant-3' },
  { reasonContains: 'OPS-3' },
  { reasonContains: '100%_' },
  { reasonContains: '%' },
  { fromTime: at(500), toTime: at(900) },
  { fromTime: at(2500) },
  { toTime: at(40) },
  { fromTime: at(-100_000), toTime: at(1030) },
  { fromTime: '2000-01-01T00:00:00.000Z', actorId: 'user-2' },
  { fromTime: at(100), toTime: at(2000), actorId: 'user-5', outcome: 'success' },
  { target: { kind: 'document', id: 'doc-3' }, reasonContains: 'routine', type: { kind: 'prefix', prefix: 'app.document.' } },
  { grantId: 'grant-0', fromTime: at(1000) },
  { requestId: 'req-12', actorId: 'user-12' },
];

describe('event search', () => {
  for (const backend of testBackends) {
    describe(`on ${backend}`, { concurrency: false }, () => {
      let database: TestDatabase;
      let opened: OpenedDatabase;
      let store: LedgerStore;
      let all: { index: number; event: AuditEvent }[] = [];

      before(async () => {
        database = await createTestDatabase(backend);
        opened = await openDatabase({ dataDir: database.dataDir, pgUrl: database.pgUrl, durability: 'normal' });
        store = createKyselyLedgerStore(opened.db, opened.capabilities);
        const clock = createManualClock(BASE_MS);
        const deps = { store, signer: createSigner(generateSignerKey('search.example/log').signerKey), clock, batchSize: 1000 };
        const ids = createUuidV7Generator(clock);
        for (let first = 0; first < COUNT; first += 700) {
          const batch = Array.from({ length: Math.min(700, COUNT - first) }, (_, k) => toPendingEntry(prepareEvent(sampleEvent(first + k), { clock, ids })));
          await store.appendPending(batch);
          while ((await integratePending(deps)).kind === 'integrated' && (await store.countPending()) > 0);
        }
        const entries = await store.readEntries(0, COUNT);
        const personal = await store.readPersonal(entries.map((e) => e.eventId));
        all = entries.map((e) => ({ index: e.index, event: readEntry(e.entry, personal.get(e.eventId)?.value) }));
        assert.equal(all.length, COUNT);
      });
      after(async () => {
        await opened.close();
        await database.dispose();
      });

      async function pages(search: EventSearch, filter: EventFilter, order: EventOrder, limit: number): Promise<{ indices: number[]; pages: number }> {
        const indices: number[] = [];
        let resumeAfter: number | undefined;
        let count = 0;
        do {
          const page = await search.search({ filter, order, after: resumeAfter, limit });
          assert.ok(page.entries.length <= limit);
          indices.push(...page.entries.map((e) => e.index));
          resumeAfter = page.resumeAfter;
          count += 1;
          assert.ok(count < 10_000, 'the pages never end');
        } while (resumeAfter !== undefined);
        return { indices, pages: count };
      }

      const variants: [string, EventSearchOptions, number][] = [
        ['default budget, pages of 7', {}, 7],
        ['no time budget, small ranges, one time block per read (short pages)', { budgetMs: 0, initialSpan: 300, timeBlocksPerRead: 1 }, 50],
      ];
      for (const [name, options, limit] of variants) {
        test(`every filter, both orders, ${name}: exactly the matching events, no gaps or repeats`, async () => {
          const search = createKyselyEventSearch(opened.db, options);
          for (const filter of filters) {
            const expected = all.filter((e) => matches(e.event, filter)).map((e) => e.index);
            assert.equal(expected.length === 0, filter.type?.kind === 'prefix' && filter.type.prefix === 'nothing.', JSON.stringify(filter));
            for (const order of ['desc', 'asc'] as const) {
              const { indices } = await pages(search, filter, order, limit);
              assert.deepEqual(indices, order === 'asc' ? expected : [...expected].reverse(), `${order} ${JSON.stringify(filter)}`);
            }
          }
        });
      }

      test('a page holds the entry bytes of each index; a page past the end is empty', async () => {
        const search = createKyselyEventSearch(opened.db);
        const page = await search.search({ filter: { actorId: 'user-1' }, order: 'desc', limit: 3 });
        assert.equal(page.entries.length, 3);
        for (const entry of page.entries) assert.deepEqual(readEntry(entry.entry, entry.personal), all[entry.index]?.event);
        assert.deepEqual(await search.search({ filter: {}, order: 'asc', after: COUNT - 1, limit: 5 }), { entries: [], resumeAfter: undefined });
        assert.deepEqual(await search.search({ filter: {}, order: 'desc', after: 0, limit: 5 }), { entries: [], resumeAfter: undefined });
      });

      test('findEvent and indicesOf see sequenced events; a pending one has no index yet', async () => {
        const search = createKyselyEventSearch(opened.db);
        const known = all[1234];
        assert.ok(known !== undefined);
        const found = await search.findEvent(known.event.id);
        assert.equal(found?.index, 1234);
        assert.equal(readEntry(found.entry, found.personal).actor.name, known.event.actor.name);
        assert.deepEqual(await search.indicesOf([known.event.id, '00000000-0000-4000-8000-000000000000']), new Map([[known.event.id, 1234]]));
        const clock = createManualClock(BASE_MS);
        const pending = prepareEvent(sampleEvent(1), { clock, ids: createUuidV7Generator(clock) });
        await store.appendPending([toPendingEntry(pending)]);
        const pendingFound = await search.findEvent(pending.id);
        assert.equal(pendingFound?.index, undefined);
        assert.deepEqual(Buffer.from(pendingFound?.entry ?? []), Buffer.from(pending.entry));
        assert.equal(readEntry(pendingFound?.entry ?? new Uint8Array(), pendingFound?.personal).actor.name, 'Person 1');
        assert.equal(await search.findEvent('00000000-0000-4000-8000-000000000000'), undefined);
        const page = await search.search({ filter: { actorId: 'user-1' }, order: 'desc', limit: 1 });
        assert.notEqual(page.entries[0]?.eventId, pending.id, 'pending events are not listed');
      });
    });
  }
});
