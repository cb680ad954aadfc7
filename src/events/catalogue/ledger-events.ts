// Ledger events: the log's own key, erasure of personal data, retention and integrity checks.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { bundleSelectionSchema } from '../evidence-bundle-format.ts';
import { defineEvent, fields } from './event-definition.ts';

const keepDays = z.union([z.number().int().min(1).max(36_500), z.literal('forever')]);
const holdScope = z.discriminatedUnion('kind', [
  strictShape({ kind: z.literal('subject'), subjectId: z.string().min(1).max(256) }),
  strictShape({ kind: z.literal('resource'), resourceId: z.string().min(1).max(256) }),
  strictShape({ kind: z.literal('time'), from: fields.time, to: fields.time }),
]);

export const ledgerEvents = [
  defineEvent(
    'ledger.signing_key.created',
    1,
    'The checkpoint signing key was generated or installed.',
    strictShape({
      keyName: fields.name,
      keyId: z.string().regex(/^[0-9a-f]{8}$/, 'expected the 4-byte key hash in hex'),
      publicKey: z.string().min(1).max(128),
      source: z.enum(['generated', 'supplied']),
    }),
  ),
  defineEvent(
    'ledger.personal_data.erased',
    1,
    'The personal part (plaintext and salt) of events was deleted; their commitments stay in the tree.',
    strictShape({
      eventIds: z.array(fields.uuid).min(1).max(1000),
      subjectId: fields.id.optional(),
    }),
  ),
  defineEvent(
    'ledger.subject.erased',
    1,
    "An administrator erased the personal part of every event of one subject (by the subject's pseudonymous id); the reason says why.",
    strictShape({
      subjectId: fields.id,
      erasedCount: fields.count,
    }),
  ),
  defineEvent(
    'ledger.retention.ran',
    1,
    'A retention run removed the content of entries past their period (a batch), or finished (the summary); leaf hashes, tiles and checkpoints stay.',
    strictShape({
      runId: fields.uuid,
      trigger: z.enum(['schedule', 'admin']),
      kind: z.enum(['batch', 'summary']),
      removedCount: fields.count,
      heldCount: fields.count,
      /** Runs of removed indices, both ends included. */
      ranges: z.array(z.tuple([fields.count, fields.count])).max(1000),
      rules: z.array(strictShape({ typePrefix: z.string().min(1).max(128), keepDays: keepDays })).max(64),
      defaultKeepDays: keepDays,
      batches: fields.count.optional(),
      floor: fields.count.optional(),
    }),
  ),
  defineEvent(
    'ledger.hold.placed',
    1,
    'An administrator placed a legal hold: entries it covers are never removed by retention while it stands; the reason says why.',
    strictShape({ holdId: fields.uuid, scope: holdScope }),
  ),
  defineEvent(
    'ledger.hold.released',
    1,
    'An administrator released a legal hold; the reason says why.',
    strictShape({ holdId: fields.uuid, scope: holdScope }),
  ),
  defineEvent(
    'ledger.consistency_check.failed',
    1,
    'A stored tree did not match a checkpoint it had signed.',
    strictShape({
      treeSize: fields.count,
      expectedRootHash: fields.sha256Base64,
      actualRootHash: fields.sha256Base64,
      detail: z.string().max(1024).optional(),
    }),
  ),
  defineEvent(
    'ledger.bundle.exported',
    1,
    'An evidence bundle was exported: the selection (index range and filters) of which checkpoint, how many entries, and whether personal values went with them.',
    strictShape({
      via: z.enum(['api', 'cli']),
      checkpointSize: fields.count,
      selection: bundleSelectionSchema,
      entryCount: fields.count,
      redacted: z.boolean(),
    }),
  ),
] as const;
