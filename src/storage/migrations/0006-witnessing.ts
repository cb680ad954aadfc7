// Migration 6: published checkpoints — the signed checkpoints that carry a quorum of witness cosignatures.
import type { Kysely } from 'kysely';
import type { BackendCapabilities } from '../dialects/capabilities.ts';

export async function up(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await db.schema
    .createTable('log_published')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', caps.bytesType, (c) => c.notNull())
    // The signed note with the cosignature lines of the witnesses that cosigned it.
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('published_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
