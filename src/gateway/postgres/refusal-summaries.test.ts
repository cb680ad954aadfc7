import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventInput } from '../../events/event-schema.ts';
import { findEventDefinition } from '../../events/catalogue/index.ts';
import { createManualClock } from '../../shared/clock.ts';
import { createRefusalSummaries } from './refusal-summaries.ts';

function collector() {
  const written: EventInput[] = [];
  return { written, write: (events: EventInput[]) => { written.push(...events); return Promise.resolve(); } };
}

test('many refusals from one source become one entry per flush, counted by reason, valid against the catalogue', async () => {
  const clock = createManualClock(Date.UTC(2026, 10, 25, 14, 5));
  const { written, write } = collector();
  const summaries = createRefusalSummaries({ clock, write, onError: (error) => { throw error; } }, { intervalMs: 60_000, maxSources: 10 });
  const flooder = { kind: 'address', address: '127.0.0.2' } as const;
  for (let i = 0; i < 1000; i++) summaries.count(flooder, 'startup_timeout');
  for (let i = 0; i < 3; i++) summaries.count(flooder, 'too_many_from_source');
  summaries.count({ kind: 'ipv6_prefix', address: '2001:db8:0:1::' }, 'protocol_error');
  clock.advanceMs(60_000);
  await summaries.flush();
  assert.equal(written.length, 2);
  const [first, second] = written;
  assert.equal(first?.type, 'gateway.connection.refusals.summarized');
  assert.equal(first.actor.ip, '127.0.0.2');
  assert.deepEqual(first.data, {
    sourceKind: 'address',
    intervalStart: '2026-11-25T14:05:00.000Z',
    intervalEnd: '2026-11-25T14:06:00.000Z',
    refusals: 1003,
    reasons: { startup_timeout: 1000, too_many_from_source: 3 },
  });
  assert.equal(second?.actor.ip, '2001:db8:0:1::');
  for (const event of written) assert.ok(findEventDefinition(event.type)?.data.safeParse(event.data).success);
  await summaries.flush();
  assert.equal(written.length, 2, 'nothing pending, nothing written');
  await summaries.close();
});

test('sources past maxSources share one "other" entry without an address; close writes what is pending', async () => {
  const clock = createManualClock(0);
  const { written, write } = collector();
  const summaries = createRefusalSummaries({ clock, write, onError: (error) => { throw error; } }, { intervalMs: 60_000, maxSources: 3 });
  for (let i = 0; i < 100; i++) summaries.count({ kind: 'address', address: `10.0.0.${i}` }, 'startup_timeout');
  await summaries.close();
  assert.equal(written.length, 4);
  const other = written.find((event) => event.data !== undefined && (event.data as { sourceKind: string }).sourceKind === 'other');
  assert.equal(other?.actor.ip, undefined);
  assert.deepEqual((other?.data as { reasons: unknown }).reasons, { startup_timeout: 97 });
});
