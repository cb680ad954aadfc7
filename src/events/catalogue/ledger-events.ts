// Ledger events: the log's own key, erasure of personal data, retention and integrity checks.
import { z } from 'zod';
import { strictShape } from '../event-schema.ts';
import { defineEvent, fields } from './event-definition.ts';

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
    'ledger.retention.applied',
    1,
    'Payloads past their retention period were archived or dropped; leaf hashes are kept.',
    strictShape({
      before: fields.time,
      archivedCount: fields.count,
      droppedCount: fields.count,
      heldCount: fields.count,
    }),
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
] as const;
