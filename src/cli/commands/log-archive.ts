// `writ log archive --out DIR`: writes the log's full tiles, entry bundles and published checkpoint to a write-once archive directory.
import type { Command } from 'commander';
import { archiveLog, type ArchiveRunReport } from '../../ledger/archive-writer.ts';
import { publishedCheckpointOrFail } from '../../ledger/log-reader.ts';
import { openArchiveDirectory } from '../../storage/archive-directory.ts';
import { writVersion } from '../../shared/writ-version.ts';
import { withApp, writeOut } from '../cli-context.ts';

function describeRun(report: ArchiveRunReport, dir: string): string {
  const lines = [
    report.upToDate
      ? `the archive in ${dir} already holds checkpoint ${report.treeSize}: nothing to add (${report.filesPresent} files match the log)`
      : `archived the log at tree size ${report.treeSize} to ${dir}: ${report.filesWritten} files written (${report.bytesWritten} bytes), ${report.filesPresent} already there and identical` +
        (report.filesAdopted > 0 ? `, ${report.filesAdopted} left by an interrupted run taken in` : ''),
    `manifest ${report.manifest.path} SHA-256 ${report.manifest.sha256}`,
    ...report.removed.map((r) => `not archived: ${r.bundle} (entries ${r.from}…${r.to - 1}): retention removed the content of entries ${r.ranges.map(([a, b]) => (b - a === 1 ? `${a}` : `${a}…${b - 1}`)).join(', ')}`),
    ...report.leftoversRemoved.map((path) => `removed ${path}, a temporary file of an interrupted run`),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerLogArchive(log: Command): void {
  log
    .command('archive')
    .description(
      'write the log to an archive directory (C2SP tlog-tiles layout): every full tile and entry bundle, the published checkpoint ' +
        'and its edge tiles, and a manifest of SHA-256 hashes chained to the last run; files are read-only and never overwritten',
    )
    .requiredOption('--out <dir>', 'the archive directory (created if missing; a re-run only adds files)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { out: string; json?: true }, command: Command) => {
      const report = await withApp(command, async (app) => {
        const checkpoint = await publishedCheckpointOrFail(app.store);
        const files = await openArchiveDirectory(options.out, { create: true });
        return archiveLog(app.store, files, { checkpoint, verifierKey: app.signer.verifierKey, tool: writVersion() });
      });
      await writeOut(options.json === true ? `${JSON.stringify(report)}\n` : describeRun(report, options.out));
    });
}
