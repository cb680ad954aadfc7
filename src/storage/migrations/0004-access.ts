// Migration 4: the access engine's tables: requests, their reviewers and decisions, grants, policy versions, the outbox.
import type { Kysely } from 'kysely';
import type { BackendCapabilities } from '../dialects/capabilities.ts';

export async function up(db: Kysely<unknown>, caps: BackendCapabilities): Promise<void> {
  await db.schema
    .createTable('access_requests')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('target_grant_id', 'varchar(36)')
    .addColumn('requester_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('requester_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('level', 'varchar(64)', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('ticket', 'varchar(128)')
    .addColumn('start_at_ms', 'bigint')
    .addColumn('break_glass', 'integer', (c) => c.notNull())
    .addColumn('auto_approved_by', 'varchar(256)')
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('current_stage', 'integer')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('decided_at_ms', 'bigint')
    .addColumn('grant_id', 'varchar(36)')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_requests_requester').on('access_requests').columns(['requester_id', 'id']).execute();
  await db.schema.createIndex('access_requests_status').on('access_requests').columns(['status', 'expires_at_ms']).execute();
  await db.schema
    .createTable('access_request_reviewers')
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('principal_kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('principal', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('access_request_reviewers_pk', ['request_id', 'stage', 'principal_kind', 'principal'])
    .execute();
  await db.schema.createIndex('access_request_reviewers_principal').on('access_request_reviewers').columns(['principal_kind', 'principal']).execute();
  await db.schema
    .createTable('access_decisions')
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('reviewer_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('reviewer_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('verdict', 'varchar(8)', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('start_at_ms', 'bigint')
    .addColumn('self_approval', 'integer', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('access_decisions_pk', ['request_id', 'reviewer_id'])
    .execute();
  await db.schema
    .createTable('access_grants')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('level', 'varchar(64)', (c) => c.notNull())
    .addColumn('starts_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ends_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('break_glass', 'integer', (c) => c.notNull())
    .addColumn('started_at_ms', 'bigint')
    .addColumn('ended_at_ms', 'bigint')
    .addColumn('end_reason', 'varchar(16)')
    .addColumn('ended_by', 'varchar(64)')
    .addColumn('expiry_notice_at_ms', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_grants_user').on('access_grants').columns(['user_id', 'resource_id']).execute();
  await db.schema.createIndex('access_grants_open').on('access_grants').columns(['ended_at_ms', 'ends_at_ms']).execute();
  await db.schema
    .createTable('policy_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('digest', 'varchar(64)', (c) => c.notNull())
    .addColumn('source', 'varchar(8)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'varchar(64)', (c) => c.notNull())
    .addColumn('applied_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('outbox')
    .addColumn('id', caps.serialType, (c) => caps.serialPrimaryKey(c))
    .addColumn('topic', 'varchar(64)', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['delivered_at_ms', 'next_attempt_at_ms']).execute();
}
