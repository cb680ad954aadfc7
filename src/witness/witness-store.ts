// The witness's own SQLite file: the latest cosigned checkpoint per log, compare-and-swap, and kept evidence of misbehaviour.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { WitnessLogState } from '../ledger/witness-state.ts';

export const WITNESS_DB_FILE = 'witness.sqlite';

export type WitnessEvidenceKind = 'fork' | 'bad-proof';

export interface WitnessEvidence {
  id: number;
  origin: string;
  kind: WitnessEvidenceKind;
  storedNote: string;
  presentedNote: string;
  atMs: number;
}

/** Whether the swap happened; when it lost a race, the size stored now (0 for a log without state). */
export type SwapResult = { kind: 'swapped' } | { kind: 'lost'; storedSize: number };

export interface WitnessStore {
  load(origin: string): WitnessLogState | undefined;
  /** Stores `newState` only if the stored size is still `expectedSize` (undefined: no state yet), in one transaction. */
  compareAndSwap(origin: string, expectedSize: number | undefined, newState: WitnessLogState): SwapResult;
  recordEvidence(evidence: Omit<WitnessEvidence, 'id'>): void;
  /** Evidence of one log, or of every log without `origin`, oldest first. */
  listEvidence(origin?: string): WitnessEvidence[];
  close(): void;
}

interface LogRow {
  origin: string;
  size: number;
  root_hash: Buffer;
  checkpoint_note: string;
}

interface EvidenceRow {
  id: number;
  origin: string;
  kind: WitnessEvidenceKind;
  stored_note: string;
  presented_note: string;
  at_ms: number;
}

const SCHEMA = `
create table if not exists witness_logs (
  origin text primary key,
  size integer not null,
  root_hash blob not null,
  checkpoint_note text not null
);
create table if not exists witness_evidence (
  id integer primary key autoincrement,
  origin text not null,
  kind text not null check (kind in ('fork', 'bad-proof')),
  stored_note text not null,
  presented_note text not null,
  at_ms integer not null
);
create index if not exists witness_evidence_origin on witness_evidence (origin, id);
`;

function toState(row: LogRow): WitnessLogState {
  return { origin: row.origin, size: row.size, rootHash: new Uint8Array(row.root_hash), checkpointNote: row.checkpoint_note };
}

/**
 * Opens (creating if needed) the witness database in `dataDir`, WAL mode, writers serialised with BEGIN IMMEDIATE.
 * @example const store = openWitnessStore('.writ-witness'); store.load('audit.example.com/writ')
 */
export function openWitnessStore(dataDir: string): WitnessStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new BetterSqlite3(join(dataDir, WITNESS_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const selectLog = db.prepare<[string], LogRow>('select origin, size, root_hash, checkpoint_note from witness_logs where origin = ?');
  const upsertLog = db.prepare<[string, number, Buffer, string]>(
    `insert into witness_logs (origin, size, root_hash, checkpoint_note) values (?, ?, ?, ?)
     on conflict (origin) do update set size = excluded.size, root_hash = excluded.root_hash, checkpoint_note = excluded.checkpoint_note`,
  );
  const insertEvidence = db.prepare<[string, string, string, string, number]>(
    'insert into witness_evidence (origin, kind, stored_note, presented_note, at_ms) values (?, ?, ?, ?, ?)',
  );
  const selectEvidence = db.prepare<[string, string], EvidenceRow>(
    "select id, origin, kind, stored_note, presented_note, at_ms from witness_evidence where (? = '' or origin = ?) order by id",
  );
  const swap = db.transaction((origin: string, expectedSize: number | undefined, newState: WitnessLogState): SwapResult => {
    const row = selectLog.get(origin);
    if (row?.size !== expectedSize) return { kind: 'lost', storedSize: row?.size ?? 0 };
    upsertLog.run(origin, newState.size, Buffer.from(newState.rootHash), newState.checkpointNote);
    return { kind: 'swapped' };
  });
  return {
    load(origin) {
      const row = selectLog.get(origin);
      return row === undefined ? undefined : toState(row);
    },
    compareAndSwap(origin, expectedSize, newState) {
      return swap.immediate(origin, expectedSize, newState);
    },
    recordEvidence(e) {
      insertEvidence.run(e.origin, e.kind, e.storedNote, e.presentedNote, e.atMs);
    },
    listEvidence(origin) {
      return selectEvidence.all(origin ?? '', origin ?? '').map((r) => ({
        id: r.id, origin: r.origin, kind: r.kind, storedNote: r.stored_note, presentedNote: r.presented_note, atMs: r.at_ms,
      }));
    },
    close() {
      db.close();
    },
  };
}
