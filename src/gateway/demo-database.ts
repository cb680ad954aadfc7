// The demo database: an embedded PostgreSQL (PGlite) in the data directory, seeded once with made-up customers and orders.
/**
 * So a new user has something to query through the gateway before they connect a database of their own.
 * PGlite serves every connection from one session: settings and transactions of one client are visible
 * to the others, and a CancelRequest is ignored. Good enough for a demo, not a stand-in for PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { UpstreamTarget } from './postgres/upstream-connection.ts';

export interface DemoDatabase {
  readonly target: UpstreamTarget;
  close(): Promise<void>;
}

export interface DemoDatabaseOptions {
  readonly dataDir: string;
  /** Where to serve it (default 127.0.0.1 on a port the OS chooses); the example policy's demo-db expects 127.0.0.1:7433. */
  readonly host?: string;
  readonly port?: number;
  readonly logger?: { info(obj: object, msg: string): void };
}

/** Connections pglite-socket accepts at once; they all share the one PGlite session. */
const DEMO_MAX_CONNECTIONS = 32;

export const DEMO_CUSTOMER_COUNT = 24;
export const DEMO_ORDER_COUNT = 60;

const firstNames = ['Ada', 'Brook', 'Cyril', 'Dana', 'Emil', 'Fern', 'Gus', 'Hana', 'Ivo', 'Juno', 'Kit', 'Lior'];
const lastNames = ['Example', 'Sample'];
const countries = ['DE', 'FR', 'NL', 'SE', 'US', 'CA', 'JP', 'BR'];
const products = [
  { name: 'Demo Widget', priceCents: 1250 },
  { name: 'Sample Gadget', priceCents: 4999 },
  { name: 'Placeholder Gizmo', priceCents: 799 },
  { name: 'Fictional Sprocket', priceCents: 2300 },
  { name: 'Imaginary Doohickey', priceCents: 15_000 },
];
const statuses = ['pending', 'paid', 'shipped', 'delivered', 'refunded'];

const schema = `
CREATE TABLE customers (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  country char(2) NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE orders (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  product text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
  status text NOT NULL,
  ordered_at timestamptz NOT NULL
);
CREATE INDEX orders_customer_id ON orders (customer_id);
COMMENT ON TABLE customers IS 'Writ demo data: made-up people with example.com addresses';
COMMENT ON TABLE orders IS 'Writ demo data: made-up orders of made-up products';
`;

/** The element at `index` modulo the length: the data cycles through each list. */
function pick<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new Error('demo seed lists are never empty');
  return item;
}

const day = (n: number): string => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString();

async function seed(tx: Transaction): Promise<void> {
  await tx.exec(schema);
  for (let i = 0; i < DEMO_CUSTOMER_COUNT; i++) {
    const first = pick(firstNames, i);
    const last = pick(lastNames, Math.floor(i / firstNames.length));
    await tx.query('INSERT INTO customers (name, email, country, created_at) VALUES ($1, $2, $3, $4)', [
      `${first} ${last}`,
      `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
      pick(countries, i),
      day(i * 3),
    ]);
  }
  for (let i = 0; i < DEMO_ORDER_COUNT; i++) {
    const product = pick(products, i * 7);
    await tx.query('INSERT INTO orders (customer_id, product, quantity, unit_price_cents, status, ordered_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      ((i * 5) % DEMO_CUSTOMER_COUNT) + 1,
      product.name,
      (i % 4) + 1,
      product.priceCents,
      pick(statuses, i * 3),
      day(70 + i * 4),
    ]);
  }
}

/** Creates and fills the demo tables unless they exist; one transaction, so a crash mid-way leaves nothing half-made. */
async function seedOnce(db: PGlite): Promise<boolean> {
  return db.transaction(async (tx) => {
    const existing = await tx.query<{ found: string | null }>("SELECT to_regclass('public.customers')::text AS found");
    if (existing.rows[0]?.found != null) return false;
    await seed(tx);
    return true;
  });
}

/**
 * Opens (or creates) `<dataDir>/demo-db` and serves it on `host:port` (default 127.0.0.1, a port the OS chooses).
 * @example const demo = await startDemoDatabase({ dataDir: '.writ' }); await connectUpstream(demo.target, ...)
 */
export async function startDemoDatabase(options: DemoDatabaseOptions): Promise<DemoDatabase> {
  const directory = join(options.dataDir, 'demo-db');
  mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  try {
    const seeded = await seedOnce(db);
    const host = options.host ?? '127.0.0.1';
    const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: DEMO_MAX_CONNECTIONS });
    await server.start();
    const port = Number(server.getServerConn().split(':').at(-1));
    options.logger?.info({ port, seeded }, seeded ? 'demo database created and filled' : 'demo database opened');
    return {
      target: { host, port, database: 'postgres', user: 'postgres', tls: 'disable' },
      close: async () => {
        await server.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
