// A PostgreSQL server for upstream tests: the one WRIT_TEST_PG_URL names, or else an embedded PGlite behind pglite-socket.
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { serialize } from 'pg-protocol';
import { BackendMessageType, createBackendFramer, decodeCommandComplete, decodeReadyForQuery } from '../backend-framer.ts';
import { readServerError } from '../backend-message-fields.ts';
import type { UpstreamTarget } from '../upstream-connection.ts';

export interface TestUpstream {
  readonly target: UpstreamTarget;
  /** A connection URL for node-postgres or psql, for setting up and checking from the side. */
  readonly url: string;
  /** `fake`: a scripted server (fake-upstream.ts) that answers every query the same way. */
  readonly kind: 'postgres' | 'pglite' | 'fake';
  close(): Promise<void>;
}

/** pglite-socket refuses connections beyond this; tests with several clients stay well below. */
const PGLITE_MAX_CONNECTIONS = 64;

/** Parses a postgres:// URL into a target without TLS. */
export function targetFromUrl(url: string): UpstreamTarget {
  const parsed = new URL(url);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    user: decodeURIComponent(parsed.username) || 'postgres',
    tls: 'disable',
    ...(password === undefined ? {} : { password }),
  };
}

/** Starts (or, with WRIT_TEST_PG_URL, borrows) a server; close() stops only what it started. */
export async function startTestUpstream(): Promise<TestUpstream> {
  const external = process.env.WRIT_TEST_PG_URL;
  if (external !== undefined && external !== '') {
    return { target: targetFromUrl(external), url: external, kind: 'postgres', close: () => Promise.resolve() };
  }
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
  await server.start();
  // getServerConn() reports "host:port" with the port the OS chose once start() has resolved.
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    target: targetFromUrl(url),
    url,
    kind: 'pglite',
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Runs SQL on the test server through node-postgres, beside the code under test. */
export async function queryTestUpstream(upstream: TestUpstream, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: upstream.url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a table with a random name and the given column list, runs `use` and drops the table.
 * @example await withScratchTable(upstream, 'id int, name text', async (table) => { ... })
 */
export async function withScratchTable<T>(upstream: TestUpstream, columns: string, use: (table: string) => Promise<T>): Promise<T> {
  const table = `writ_scratch_${randomBytes(6).toString('hex')}`;
  await queryTestUpstream(upstream, `CREATE TABLE ${table} (${columns})`);
  try {
    return await use(table);
  } finally {
    await queryTestUpstream(upstream, `DROP TABLE IF EXISTS ${table}`);
  }
}

/**
 * Creates a login role whose password is stored as `encryption` asks (a real server only: PGlite has no
 * roles to log in as), runs `use` and drops the role.
 */
export async function withLoginRole<T>(
  upstream: TestUpstream,
  encryption: 'scram-sha-256' | 'md5',
  use: (role: { name: string; password: string }) => Promise<T>,
): Promise<T> {
  const role = { name: `writ_test_${encryption.replace(/\W/g, '')}_${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  await queryTestUpstream(upstream, `SET password_encryption = '${encryption}'; CREATE ROLE ${role.name} LOGIN PASSWORD '${role.password}'`);
  try {
    return await use(role);
  } finally {
    await queryTestUpstream(upstream, `DROP ROLE IF EXISTS ${role.name}`);
  }
}

/** What a simple query returned when relayed by hand over an upstream session's socket. */
export interface HandQueryResult {
  readonly rows: (string | null)[][];
  readonly tags: string[];
  readonly errors: { sqlState: string | undefined; message: string }[];
  readonly transactionStatus: 'I' | 'T' | 'E';
}

/**
 * Sends one Query message over an upstream session's socket and reads until ReadyForQuery, as a relay
 * would: `leading` (the session's `buffered` bytes, the first time) before what the socket reads.
 * Leaves the socket paused again without listeners.
 */
export function querySession(socket: net.Socket, sql: string, leading: Buffer = Buffer.alloc(0)): Promise<HandQueryResult> {
  const result = { rows: [] as (string | null)[][], tags: [] as string[], errors: [] as { sqlState: string | undefined; message: string }[] };
  return new Promise((resolve, reject) => {
    const framer = createBackendFramer({
      maxMessageBytes: 1 << 24,
      wantsBody: () => true,
      onMessage: (type, body = Buffer.alloc(0)) => {
        if (type === BackendMessageType.DataRow) result.rows.push(decodeDataRow(body));
        if (type === BackendMessageType.CommandComplete) result.tags.push(decodeCommandComplete(body).tag);
        if (type === BackendMessageType.ErrorResponse) result.errors.push(readServerError(body));
        if (type !== BackendMessageType.ReadyForQuery) return;
        stop();
        resolve({ ...result, transactionStatus: decodeReadyForQuery(body) });
      },
    });
    const onData = (chunk: Buffer): void => {
      try {
        framer.push(chunk);
      } catch (error) {
        stop();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = (): void => {
      stop();
      reject(new Error('the upstream closed the connection before ReadyForQuery'));
    };
    const stop = (): void => {
      socket.pause();
      socket.off('data', onData).off('error', onEnd).off('close', onEnd);
    };
    socket.on('data', onData).on('error', onEnd).on('close', onEnd);
    socket.write(serialize.query(sql));
    if (leading.length > 0) onData(leading);
    socket.resume();
  });
}

/** DataRow: Int16 column count, then per column an Int32 length (-1 for NULL) and the bytes (text format here). */
function decodeDataRow(body: Buffer): (string | null)[] {
  const values: (string | null)[] = [];
  let offset = 2;
  for (let column = 0; column < body.readInt16BE(0); column++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    values.push(length < 0 ? null : body.toString('utf8', offset, offset + length));
    offset += Math.max(length, 0);
  }
  return values;
}
