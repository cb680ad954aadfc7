// A whole Writ with its PostgreSQL gateway in front of a test server: users, grants and credentials through the API.
import { readFileSync } from 'node:fs';
import { createApiHarness, type ApiHarness } from '../../../http/testing/api-harness.ts';
import type { PendingEntry } from '../../../ledger/ledger-store.ts';
import type { GatewayDeps, GatewaySettings } from '../gateway-deps.ts';
import { defaultGatewaySettings } from '../gateway-deps.ts';
import { startPostgresGateway, type PostgresGateway } from '../gateway-server.ts';
import { eventually } from './gateway-test-helpers.ts';
import { queryTestUpstream, startTestUpstream, type TestUpstream } from './test-upstream.ts';

export type Person = 'alice' | 'bob' | 'sam' | 'dave';

export interface GatewayConnection {
  readonly user: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly url: string;
  readonly grantId: string;
}

export interface RecordedEvent {
  readonly type: string;
  readonly outcome: string;
  readonly data: Record<string, unknown>;
}

export interface GatewayHarness {
  readonly api: ApiHarness;
  readonly upstream: TestUpstream;
  readonly gateway: PostgresGateway;
  /** Alice asks for `pg-dev` at `level`, bob approves, alice takes a gateway credential. */
  grantAndConnect(level: 'read-only' | 'read-write', durationSeconds?: number): Promise<GatewayConnection>;
  /** A credential for a grant the person already holds. */
  credentialFor(person: Person, level: string): Promise<GatewayConnection>;
  /** Events the gateway appended (committed), oldest first. */
  events(type?: string): Promise<RecordedEvent[]>;
  /** Events of `type` appended after the first `mark` events. */
  eventsSince(mark: number, type: string): Promise<RecordedEvent[]>;
  /** Writes the gateway's pending refusal summaries, then adds up every summary's counts by reason. */
  refusalCounts(): Promise<Record<string, number>>;
  /** Waits (bounded) until at least `sessions` sessions have ended after the first `mark` events. */
  endedSince(mark: number, sessions: number): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

/** A role that can only read, for the read-only level on a real server (PGlite has one superuser session). */
export const TEST_READER_ROLE = 'writ_test_reader';

/** Creates the reader role once per server; concurrent test files may race, and the loser's error is harmless. */
async function ensureReaderRole(upstream: TestUpstream): Promise<void> {
  if (upstream.kind !== 'postgres') return;
  await queryTestUpstream(
    upstream,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${TEST_READER_ROLE}') THEN CREATE ROLE ${TEST_READER_ROLE} LOGIN; END IF;
       IF NOT pg_has_role('${TEST_READER_ROLE}', 'pg_read_all_data', 'MEMBER') THEN GRANT pg_read_all_data TO ${TEST_READER_ROLE}; END IF;
     EXCEPTION WHEN unique_violation OR duplicate_object OR internal_error THEN NULL;
     END $$`,
  );
}

/** The example policy, with pg-dev pointing at the test server and a guardrail on read-write. */
function harnessPolicy(upstream: TestUpstream): string {
  const example = readFileSync(new URL('../../../../examples/writ.policy.yaml', import.meta.url), 'utf8');
  const { host, port, database, user } = upstream.target;
  const resource = [
    '  - id: pg-dev',
    '    kind: postgres',
    '    name: Development database',
    '    labels: { env: dev, team: platform }',
    `    connection: { host: "${host}", port: ${port}, database: "${database}", tls: disable }`,
    '    guardrails:',
    '      - { name: no-drop, statements: [drop, truncate] }',
    '      - { name: no-unbounded-delete, statements: [delete, update], withoutWhere: true }',
    '    levels:',
    upstream.kind === 'postgres' ? `      read-only: { username: "${TEST_READER_ROLE}" }` : `      read-only: { username: "${user}", allowSuperuser: true }`,
    `      read-write: { username: "${user}", logParameters: true }`,
    '',
  ].join('\n');
  const start = example.indexOf('  - id: pg-dev');
  const end = example.indexOf('  - id: pg-prod');
  if (start < 0 || end < 0) throw new Error('the example policy no longer has pg-dev followed by pg-prod');
  return example.slice(0, start) + resource + '\n' + example.slice(end);
}

function decode(entries: readonly PendingEntry[]): RecordedEvent[] {
  return entries.map((pending) => JSON.parse(Buffer.from(pending.entry).toString('utf8')) as RecordedEvent);
}

/** @example const h = await createGatewayHarness('sqlite'); const c = await h.grantAndConnect('read-only'); await h.close(); */
export async function createGatewayHarness(
  backend: 'sqlite' | 'postgres',
  options: { settings?: Partial<GatewaySettings>; deps?: (deps: GatewayDeps) => GatewayDeps; upstream?: () => Promise<TestUpstream> } = {},
): Promise<GatewayHarness> {
  const upstream = await (options.upstream ?? startTestUpstream)();
  await ensureReaderRole(upstream);
  const api = await createApiHarness(backend);
  const applied = await api.call('PUT', '/api/v1/policy', { token: api.tokens.admin, body: { text: harnessPolicy(upstream), fileName: 'gateway-test.policy.yaml' } });
  if (applied.status !== 200) throw new Error(`cannot apply the gateway test policy: ${JSON.stringify(applied.body)}`);
  const recorded: PendingEntry[] = [];
  const real = api.app.gatewayDeps();
  const base: GatewayDeps = {
    ...real,
    appender: {
      append: async (entries) => {
        await real.appender.append(entries);
        recorded.push(...entries);
      },
    },
  };
  const gateway = await startPostgresGateway(options.deps?.(base) ?? base, { ...defaultGatewaySettings, ...options.settings }, { host: '127.0.0.1', port: 0 });
  const credentialFor = async (person: Person, level: string): Promise<GatewayConnection> => {
    const issued = await api.call('POST', '/api/v1/gateway/credentials', { token: api.tokens[person], body: { resourceId: 'pg-dev', level } });
    if (issued.status !== 201) throw new Error(`no credential for ${person}: ${JSON.stringify(issued.body)}`);
    const password = String(issued.body.password);
    const url = `postgresql://${person}:${encodeURIComponent(password)}@127.0.0.1:${gateway.address.port}/pg-dev?sslmode=disable`;
    return { user: person, password, host: '127.0.0.1', port: gateway.address.port, database: 'pg-dev', url, grantId: String(issued.body.grantId) };
  };
  return {
    api,
    upstream,
    gateway,
    credentialFor,
    async grantAndConnect(level, durationSeconds = 3600) {
      const asked = await api.call('POST', '/api/v1/requests', { token: api.tokens.alice, body: { resourceId: 'pg-dev', level, durationSeconds, reason: 'gateway test' } });
      if (asked.status !== 201) throw new Error(`request refused: ${JSON.stringify(asked.body)}`);
      const request = asked.body.request as { id: string };
      if (asked.body.grant === null) {
        const approved = await api.call('POST', `/api/v1/requests/${request.id}/approve`, { token: api.tokens.bob, body: {} });
        if (approved.status !== 200) throw new Error(`approval refused: ${JSON.stringify(approved.body)}`);
      }
      // PGlite serves every connection from one backend, so an earlier read-only session's setting would linger.
      if (upstream.kind === 'pglite' && level === 'read-write') await queryTestUpstream(upstream, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
      return credentialFor('alice', level);
    },
    events: (type) => Promise.resolve(decode(recorded.filter((pending) => type === undefined || pending.type === type))),
    eventsSince: (mark, type) => Promise.resolve(decode(recorded.slice(mark).filter((pending) => pending.type === type))),
    async refusalCounts() {
      await gateway.summarizeRefusals();
      const counts: Record<string, number> = {};
      for (const event of decode(recorded.filter((pending) => pending.type === 'gateway.connection.refusals.summarized'))) {
        for (const [reason, count] of Object.entries(event.data.reasons as Record<string, number>)) counts[reason] = (counts[reason] ?? 0) + count;
      }
      return counts;
    },
    endedSince: (mark, sessions) =>
      eventually(`${sessions} ended sessions`, () => {
        const ended = decode(recorded.slice(mark).filter((pending) => pending.type === 'gateway.session.ended'));
        return Promise.resolve(ended.length >= sessions ? ended : undefined);
      }),
    async close() {
      await gateway.close();
      await api.close();
      await upstream.close();
    },
  };
}
