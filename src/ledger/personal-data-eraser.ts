// The erasure port: deletes the personal parts (plaintext and salt) of one subject's events; the entries and their commitments stay.
import type { PendingEntry } from './ledger-store.ts';

export interface PersonalDataEraser {
  /**
   * In one transaction: deletes the personal part of every event, pending or sequenced, whose actor id is
   * `subjectId`, then appends the entry `record` builds from the number deleted. Resolves to that number.
   */
  eraseSubject(subjectId: string, record: (erasedCount: number) => PendingEntry): Promise<number>;
}
