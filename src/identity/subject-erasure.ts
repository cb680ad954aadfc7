// Erasing a data subject: an administrator deletes the personal parts of the subject's events, with a reason, on the ledger.
import type { AuditEntryFactory } from '../events/audit-entry.ts';
import type { PersonalDataEraser } from '../ledger/personal-data-eraser.ts';
import { AppError } from '../shared/app-error.ts';
import { requireAdmin } from './authority.ts';
import { actorOf, target } from './identity-context.ts';
import type { Principal } from './principal.ts';

export interface SubjectErasureDeps {
  readonly eraser: PersonalDataEraser;
  readonly auditEntry: AuditEntryFactory;
}

export interface SubjectErasure {
  readonly subjectId: string;
  readonly erasedCount: number;
}

const MAX_SUBJECT_ID_LENGTH = 128;
const MAX_REASON_LENGTH = 1024;

function parseSubjectId(subjectId: string): string {
  const trimmed = subjectId.trim();
  if (trimmed === '' || trimmed.length > MAX_SUBJECT_ID_LENGTH) {
    throw new AppError('invalid_input', `subject id "${subjectId.slice(0, MAX_SUBJECT_ID_LENGTH)}" must be 1 to ${MAX_SUBJECT_ID_LENGTH} characters`);
  }
  return trimmed;
}

function parseReason(reason: string | undefined): string {
  const trimmed = reason?.trim() ?? '';
  if (trimmed === '') throw new AppError('invalid_input', 'an erasure needs a reason (for example the request it answers)');
  if (trimmed.length > MAX_REASON_LENGTH) throw new AppError('invalid_input', `the reason must be at most ${MAX_REASON_LENGTH} characters`);
  return trimmed;
}

/**
 * Deletes the stored personal values and salts of every event whose actor is `subjectId` and appends
 * `ledger.subject.erased` (actor: the administrator) in the same transaction. Entries, leaf hashes and
 * proofs are unchanged; readers see `personalErased: true`.
 * @example await eraseSubject({ eraser, auditEntry }, admin, '0193…', 'GDPR request 2026-114') // { subjectId, erasedCount: 12 }
 */
export async function eraseSubject(deps: SubjectErasureDeps, admin: Principal, subjectId: string, reason: string | undefined): Promise<SubjectErasure> {
  requireAdmin(admin, 'erase personal data');
  const subject = parseSubjectId(subjectId);
  const why = parseReason(reason);
  const erasedCount = await deps.eraser.eraseSubject(subject, (count) =>
    deps.auditEntry({
      type: 'ledger.subject.erased',
      actor: actorOf(admin),
      targets: [target('user', subject)],
      outcome: 'success',
      reason: why,
      data: { subjectId: subject, erasedCount: count },
    }),
  );
  return { subjectId: subject, erasedCount };
}
