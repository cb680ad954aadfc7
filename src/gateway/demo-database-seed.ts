// The demo database's made-up customers and orders, and the one transaction that creates and fills them on first start.
import type { PGlite, Transaction } from '@electric-sql/pglite';

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
export async function seedOnce(db: PGlite): Promise<boolean> {
  return db.transaction(async (tx) => {
    const existing = await tx.query<{ found: string | null }>("SELECT to_regclass('public.customers')::text AS found");
    if (existing.rows[0]?.found != null) return false;
    await seed(tx);
    return true;
  });
}
