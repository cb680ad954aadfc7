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
const NEEDS = /[^\u0020\u0021\u0023-\u005b\u005d-\ud7ff\ue000-\uffff]/;
function q(t: string) { return NEEDS.test(t) ? JSON.stringify(t) : `"${t}"`; }
function alt2(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string': return q(value);
    case 'number': return String(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) { let o = '['; for (let i = 0; i < value.length; i++) o += (i ? ',' : '') + alt2(value[i], depth + 1); return o + ']'; }
      const r = value as Record<string, unknown>; const keys = Object.keys(r); keys.sort(); let o = '{';
      for (let i = 0; i < keys.length; i++) { const k = keys[i]!; const m = r[k]; if (m === undefined) continue; o += (o.length === 1 ? '' : ',') + q(k) + ':' + alt2(m, depth + 1); }
      return o + '}';
    }
    default: throw new Error('x');
  }
}
function alt3(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string': return q(value);
    case 'number': return String(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) { const parts: string[] = []; for (let i = 0; i < value.length; i++) parts.push(alt3(value[i], depth + 1)); return '[' + parts.join(',') + ']'; }
      const r = value as Record<string, unknown>; const keys = Object.keys(r); keys.sort(); const parts: string[] = [];
      for (let i = 0; i < keys.length; i++) { const k = keys[i]!; const m = r[k]; if (m === undefined) continue; parts.push(q(k) + ':' + alt3(m, depth + 1)); }
      return '{' + parts.join(',') + '}';
    }
    default: throw new Error('x');
  }
}
for (let round = 0; round < 2; round++) {
bench('alt2 q-regex', () => alt2(plain, 0));
bench('alt3 join', () => alt3(plain, 0));
bench('keys+sort only', () => { for (const o of [plain, plain.actor, plain.targets[0]!, plain.targets[1]!, plain.context, plain.data, plain.data.client, plain.data.flags]) Object.keys(o).sort(); });
bench('keys only', () => { for (const o of [plain, plain.actor, plain.targets[0]!, plain.targets[1]!, plain.context, plain.data, plain.data.client, plain.data.flags]) Object.keys(o); });
}
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!; let j = i - 1;
    while (j >= 0 && keys[j]! > k) { keys[j + 1] = keys[j]!; j--; }
    keys[j + 1] = k;
  }
  return keys;
}
const objs = [plain, plain.actor, plain.targets[0]!, plain.targets[1]!, plain.context, plain.data, plain.data.client, plain.data.flags];
for (let round = 0; round < 2; round++) {
bench('keys+insertion', () => { for (const o of objs) sortKeys(Object.keys(o)); });
bench('keys+sort cmp', () => { for (const o of objs) Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); });
}
