// Test backends: SQLite in a temporary directory, and PostgreSQL from WRIT_TEST_PG_URL (a fresh schema) or else embedded PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A database made for one test; `pgUrl` is set for PostgreSQL, `dataDir` always (key file, SQLite file). */
export interface TestDatabase {
  readonly backend: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly pgUrl: string | undefined;
  dispose(): Promise<void>;
}

export const testBackends = ['sqlite', 'postgres'] as const;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'writ-test-'));
}

async function createPostgresSchema(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `writ_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

async function createEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Creates an empty database of the given backend for one test. */
export async function createTestDatabase(backend: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = tempDir();
  const removeDir = (): void => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (backend === 'sqlite') {
    return {
      backend,
      dataDir,
      pgUrl: undefined,
      dispose: () => {
        removeDir();
        return Promise.resolve();
      },
    };
  }
  const external = process.env.WRIT_TEST_PG_URL;
  if (external !== undefined && external !== '') {
    const { url, drop } = await createPostgresSchema(external);
    return { backend, dataDir, pgUrl: url, dispose: async () => { await drop(); removeDir(); } };
  }
  const { url, stop } = await createEmbeddedPostgres();
  return { backend, dataDir, pgUrl: url, dispose: async () => { await stop(); removeDir(); } };
}
