// `writ verify --archive DIR`: checks an archive directory alone (no database, no network) against the log's verifier key.
import { verifyArchive, type ArchiveReport, type ArchiveTrust } from '../../../ledger/archive-verifier.ts';
import { createVerifier } from '../../../ledger/signed-note.ts';
import { AppError } from '../../../shared/app-error.ts';
import { openArchiveDirectory } from '../../../storage/archive-directory.ts';
import { writeOut } from '../../cli-context.ts';
import type { VerifyOptions } from '../verify.ts';

function trustFrom(options: VerifyOptions): ArchiveTrust {
  const keys = [...(options.vkey ?? []), ...(options.verifierKey === undefined ? [] : [options.verifierKey])];
  return keys.length === 0 ? { kind: 'archive' } : { kind: 'keys', verifiers: keys.map((key) => createVerifier(key)) };
}

function describeReport(report: ArchiveReport, dir: string, seconds: number): string {
  const rate = seconds > 0 ? Math.round(report.entriesChecked / seconds) : report.entriesChecked;
  return (
    `archive ${dir}: origin ${report.origin ?? '(unknown)'}, tree size ${report.treeSize}, ${report.manifests} manifest(s)` +
    (report.head === undefined ? '' : `; newest ${report.head.path} SHA-256 ${report.head.sha256}`) +
    `\n${report.filesChecked} files, ${report.entriesChecked} entries, ${report.tilesChecked} tiles and ${report.checkpointsChecked} checkpoints checked in ${seconds.toFixed(2)} s (${rate} entries/s)` +
    (report.entriesRemoved > 0 ? `; ${report.entriesRemoved} entries' content removed by retention before archiving` : '') +
    '\n' +
    report.problems.map((p) => `PROBLEM${p.path === undefined ? '' : ` in ${p.path}`}${p.index === undefined ? '' : ` at index ${p.index}`}: ${p.message}\n`).join('') +
    (report.problemsNotShown > 0 ? `... and ${report.problemsNotShown} more problems\n` : '') +
    (report.ok ? 'OK: the archive is whole and matches its signed checkpoints\n' : '')
  );
}

/** Verifies the archive in `dir`; resolves only when it holds, else fails with ledger_inconsistent naming the first problem. */
export async function verifyArchiveCommand(dir: string, options: VerifyOptions): Promise<void> {
  if (options.policy !== undefined) {
    throw new AppError('invalid_input', '--policy does not apply to --archive: an archive is checked against the log key (--vkey); check witness cosignatures with --url');
  }
  const trust = trustFrom(options);
  const reader = await openArchiveDirectory(dir, { create: false });
  const started = performance.now();
  const report = await verifyArchive(reader, trust);
  const seconds = (performance.now() - started) / 1000;
  for (const warning of report.warnings) process.stderr.write(`writ: WARNING: ${warning}\n`);
  await writeOut(options.json === true ? `${JSON.stringify({ ...report, seconds })}\n` : describeReport(report, dir, seconds));
  if (!report.ok) {
    const first = report.problems[0];
    throw new AppError('ledger_inconsistent', `archive verification failed: ${first?.path ?? 'the archive'}: ${first?.message ?? 'unknown problem'}`);
  }
}
