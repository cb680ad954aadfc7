import { prepareEvent } from './event-preparation.ts';
import { canonicalize } from './canonical-json.ts';
import { createManualClock } from '../shared/clock.ts';
import { createUuidV7Generator } from '../shared/ids.ts';
const clock = createManualClock(Date.UTC(2026, 10, 25, 19, 57, 28, 123));
const realIds = createUuidV7Generator(clock);
let n = 0;
const fixedIds = { next: () => `01a21448-d8bb-7003-a1a1-${(n++ % 1e12).toString(16).padStart(12, '0')}` };
const plain = { type: 'app.document.viewed', actor: { kind: 'user', id: 'alice@example.com', authMethod: 'oidc' }, targets: [{ kind: 'document', id: 'doc-8f2c1a', name: 'Quarterly report Q3' }, { kind: 'folder', id: 'fin-2026' }], outcome: 'success', reason: 'opened from the dashboard', context: { requestId: 'req-01HXYZ', correlationId: 'c-7781', node: 'writ-1' }, data: { n: 1, view: 'full', pages: [1, 2, 3], client: { app: 'docs-web', version: '4.2.1' }, flags: { cached: false } } };
const withPersonal = { ...plain, actor: { kind: 'user', id: 'alice', name: 'Alice Example', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' } };
const catalogue = { type: 'gateway.statement.executed', actor: { kind: 'user', id: 'alice' }, targets: [{ kind: 'database', id: 'pg-prod' }], outcome: 'success', context: { sessionId: 's1', grantId: 'g1' }, data: { sessionId: 's1', statementIndex: 7, protocol: 'extended', sql: 'SELECT id, email FROM customers WHERE created_at > $1 ORDER BY id LIMIT 50', parameters: [null], commandTag: 'SELECT 50', rowCount: 50, durationMs: 3.2 } };
const sample = JSON.parse('{"type":"app.document.viewed","actor":{"kind":"user","id":"alice"},"targets":[{"kind":"document","id":"d1"}],"outcome":"success","data":{"n":1}}') as unknown;
const which = process.argv[2] ?? 'all';
for (const [name, input] of [['sample', sample], ['app', plain], ['app+personal', withPersonal], ['catalogue', catalogue]] as const) {
  if (which !== 'all' && which !== name) continue;
  for (const [idName, ids] of [['fixed ids', fixedIds], ['uuidv7 ids', realIds]] as const) {
    const size = canonicalize(input).length;
    const N = 200_000;
    for (let i = 0; i < 20_000; i++) prepareEvent(input, { clock, ids });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) prepareEvent(input, { clock, ids });
    const t1 = process.hrtime.bigint();
    console.log(name.padEnd(13), idName, `${size}B input, entry ${prepareEvent(input, { clock, ids }).entry.length}B`, (Number(t1 - t0) / N / 1000).toFixed(2), 'µs/event');
  }
}
