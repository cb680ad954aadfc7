import { canonicalize } from './canonical-json.ts';
function bench(name: string, f: () => unknown) {
  const N = 300_000;
  for (let i = 0; i < 30_000; i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) f();
  const c = process.cpuUsage(c0);
  console.log(name, ((c.user + c.system) / N).toFixed(2), 'µs cpu');
}
const plain = { v: 1, id: '01a21448-d8bb-7003-a1a1-ff3204d8ed4c', time: '2026-11-25T19:57:28.123Z', type: 'app.document.viewed', actor: { kind: 'user', id: 'alice@example.com', authMethod: 'oidc' }, targets: [{ kind: 'document', id: 'doc-8f2c1a', name: 'Quarterly report Q3' }, { kind: 'folder', id: 'fin-2026' }], outcome: 'success', reason: 'opened from the dashboard', context: { requestId: 'req-01HXYZ', correlationId: 'c-7781', node: 'writ-1' }, data: { n: 1, view: 'full', pages: [1, 2, 3], client: { app: 'docs-web', version: '4.2.1' }, flags: { cached: false } } };
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function alt(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  if (Array.isArray(value)) { let o = '['; for (let i = 0; i < value.length; i++) o += (i ? ',' : '') + alt(value[i], depth + 1); return o + ']'; }
  const r = value as Record<string, unknown>; const keys = Object.keys(r).sort(cmp); let o = '{'; let first = true;
  for (const k of keys) { const m = r[k]; if (m === undefined) continue; o += (first ? '' : ',') + JSON.stringify(k) + ':' + alt(m, depth + 1); first = false; }
  return o + '}';
}
function altDefaultSort(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  if (Array.isArray(value)) { let o = '['; for (let i = 0; i < value.length; i++) o += (i ? ',' : '') + altDefaultSort(value[i]); return o + ']'; }
  const r = value as Record<string, unknown>; const keys = Object.keys(r).sort(); let o = '{'; let first = true;
  for (const k of keys) { const m = r[k]; if (m === undefined) continue; o += (first ? '' : ',') + JSON.stringify(k) + ':' + altDefaultSort(m); first = false; }
  return o + '}';
}
for (let round = 0; round < 2; round++) {
bench('mine', () => canonicalize(plain));
bench('alt cmp', () => alt(plain, 0));
bench('alt default sort', () => altDefaultSort(plain));
bench('JSON.stringify', () => JSON.stringify(plain));
}
