// `writ verify`: a full audit of the stored log; exit 0 only when every entry, node and checkpoint holds.
import type { Command } from 'commander';
import { verifyLog } from '../../ledger/log-verifier.ts';
import { VERIFIER_KEY_META } from '../../ledger/sequencer.ts';
import { createVerifier } from '../../ledger/signed-note.ts';
import { openApp } from '../../app.ts';
import { AppError } from '../../shared/app-error.ts';
import { configFor, writeOut } from '../cli-context.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('recompute every leaf and tree node and check every signed checkpoint; exit 0 only if all holds')
    .option('--verifier-key <key>', "the log's verifier key to trust (default: this installation's own key)")
    .option('--json', 'print the report as JSON')
    .action(async (options: { verifierKey?: string; json?: true }, command: Command) => {
      const app = await openApp(configFor(command));
      const started = performance.now();
      const trusted = options.verifierKey ?? app.signer.verifierKey;
      const [report, recorded] = await Promise.all([verifyLog(app.store, createVerifier(trusted)), app.store.getMeta(VERIFIER_KEY_META)]).finally(() => app.close());
      const seconds = (performance.now() - started) / 1000;
      if (recorded !== undefined && recorded !== trusted) {
        process.stderr.write(`writ: warning: the database names ${recorded} as the log's key, not the key being trusted\n`);
      }
      if (options.json === true) {
        await writeOut(`${JSON.stringify({ ...report, verifierKey: trusted, seconds })}\n`);
      } else {
        const rate = seconds > 0 ? Math.round(report.entriesChecked / seconds) : report.entriesChecked;
        await writeOut(
          `verifier key: ${trusted}\n` +
            `tree size ${report.treeSize}; ${report.entriesChecked} entries and ${report.checkpointsChecked} checkpoints checked in ${seconds.toFixed(2)} s (${rate} entries/s); ${report.pending} pending\n` +
            report.problems.map((p) => `PROBLEM${p.index === undefined ? '' : ` at index ${p.index}`}: ${p.message}\n`).join('') +
            (report.ok ? 'OK: the log is intact\n' : ''),
        );
      }
      if (!report.ok) {
        const where = report.firstBadIndex === undefined ? '' : ` (first bad index ${report.firstBadIndex})`;
        throw new AppError('ledger_inconsistent', `verification failed${where}: ${report.problems[0]?.message ?? 'unknown problem'}`);
      }
    });
}
