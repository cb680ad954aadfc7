// Through a running Writ's HTTP API: a bench user in a group, a read-only request (auto-approved by the bench policy), a gateway password.
import { randomBytes } from 'node:crypto';
import { BENCH_READER_ROLE } from './pgbench-run.ts';

/** The policy the benchmark applies: one resource on the local PostgreSQL, read-only granted at once to the `bench` group. */
export function benchPolicy(upstream: { host: string; port: number; user: string; database: string }): string {
  return `# Written by bench/gateway: one database, read-only, approved automatically for the bench group.
version: 1
resources:
  - id: bench-db
    kind: postgres
    name: Benchmark database
    labels: { env: bench }
    connection: { host: ${upstream.host}, port: ${upstream.port}, database: ${upstream.database}, tls: disable }
    levels:
      read-only: { username: ${BENCH_READER_ROLE}, password: "env:WRIT_BENCH_UPSTREAM_PASSWORD?" }
policies:
  - name: bench
    requesters: { groups: [bench] }
    resources: { labels: { env: bench } }
    levels: [read-only]
    maxDuration: 8h
    approval:
      stages:
        - { name: lead, groups: [bench-leads], count: 1 }
    autoApprove:
      - { name: bench-read-only, levels: [read-only] }
`;
}

export interface BenchCredential {
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

async function call(base: string, token: string | undefined, method: string, path: string, body?: object): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /api/v1${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function field(answer: Record<string, unknown>, name: string): string {
  const value = answer[name];
  if (typeof value !== 'string') throw new Error(`the API answer has no "${name}"`);
  return value;
}

/** A generated password that passes Writ's password policy (long, random, without the user name). */
function generatedPassword(): string {
  return `Bx-${randomBytes(18).toString('base64url')}`;
}

/**
 * Signs in as admin, creates the `bench` group and a member, requests read-only on `bench-db` as that member and issues a gateway password.
 * @example const credential = await issueBenchCredential('http://127.0.0.1:7070', adminPassword)
 */
export async function issueBenchCredential(base: string, adminPassword: string): Promise<BenchCredential> {
  const admin = field(await call(base, undefined, 'POST', '/auth/cli-token', { username: 'admin', password: adminPassword }), 'token');
  const user = 'bencher';
  const firstPassword = generatedPassword();
  await call(base, admin, 'POST', '/groups', { name: 'bench' });
  await call(base, admin, 'POST', '/users', { username: user, password: firstPassword, roles: ['user'] });
  await call(base, admin, 'PUT', `/groups/bench/members/${user}`);
  // A password set by an admin must be changed at first sign-in.
  const token = field(await call(base, undefined, 'POST', '/auth/cli-token', { username: user, password: firstPassword, newPassword: generatedPassword() }), 'token');
  await call(base, token, 'POST', '/requests', { resourceId: 'bench-db', level: 'read-only', durationSeconds: 8 * 3600, reason: 'gateway benchmark' });
  const issued = await call(base, token, 'POST', '/gateway/credentials', { resourceId: 'bench-db' });
  return { user: field(issued, 'user'), password: field(issued, 'password'), database: field(issued, 'database') };
}
