// `writ verify`: a full audit of the stored log, or, with --url, --bundle or --archive, of a log served elsewhere, an evidence bundle or an archive.
import type { Command } from 'commander';
import { verifyLog } from '../../ledger/log-verifier.ts';
import { VERIFIER_KEY_META } from '../../ledger/sequencer.ts';
import { createVerifier } from '../../ledger/signed-note.ts';
import { openApp } from '../../app.ts';
import { AppError } from '../../shared/app-error.ts';
import { configFor, writeOut } from '../cli-context.ts';
import { verifyArchiveCommand } from './verify/verify-archive.ts';
import { verifyBundleCommand } from './verify/verify-bundle.ts';
import { monitorCommand } from './verify/verify-remote.ts';

/** Every option of `writ verify`; which ones apply depends on the mode (local, --url, --bundle, --archive). */
export interface VerifyOptions {
  verifierKey?: string;
  json?: true;
  url?: string;
  vkey?: string[];
  policy?: string;
  state?: string;
  entries?: true;
  readToken?: string;
  follow?: true;
  interval?: string;
  bundle?: string;
  archive?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function verifyLocalLog(options: VerifyOptions, command: Command): Promise<void> {
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
        (report.entriesRemoved > 0 ? `${report.entriesRemoved} entries removed by retention: their leaf hashes were checked against every signed root\n` : '') +
        report.problems.map((p) => `PROBLEM${p.index === undefined ? '' : ` at index ${p.index}`}: ${p.message}\n`).join('') +
        (report.ok ? 'OK: the log is intact\n' : ''),
    );
  }
  if (!report.ok) {
    const where = report.firstBadIndex === undefined ? '' : ` (first bad index ${report.firstBadIndex})`;
    throw new AppError('ledger_inconsistent', `verification failed${where}: ${report.problems[0]?.message ?? 'unknown problem'}`);
  }
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'verify the log: by default the local database (every leaf, node and checkpoint); --url monitors a served log, ' +
        '--bundle checks an evidence bundle offline, --archive checks an archive directory; exit 0 only if all holds',
    )
    .option('--verifier-key <key>', "the log's verifier key to trust (default: this installation's own key)")
    .option('--json', 'print the report as JSON')
    .option('--url <url>', 'monitor the log served at this URL (its /log/checkpoint and tiles)')
    .option('--vkey <key>', "the log's verifier key (repeatable); with --url, --bundle or --archive", collect)
    .option('--policy <file>', 'witness policy (C2SP tlog-policy) the checkpoint must satisfy')
    .option('--state <file>', 'with --url: where the monitor keeps the last checkpoint it verified')
    .option('--entries', 'with --url: download and re-hash every new entry (needs --read-token)')
    .option('--read-token <token>', 'with --url --entries: the log read token (default: $WRIT_LOG_READ_TOKEN)')
    .option('--follow', 'with --url: keep verifying on an interval')
    .option('--interval <duration>', 'with --follow: time between checks (e.g. 30s, 5m; default 60s)')
    .option('--bundle <file>', 'verify an evidence bundle (from "writ log export") offline')
    .option('--archive <dir>', 'verify an archive directory (from "writ log archive") alone')
    .action(async (options: VerifyOptions, command: Command) => {
      const modes = [options.url, options.bundle, options.archive].filter((m) => m !== undefined);
      if (modes.length > 1) throw new AppError('invalid_input', 'give at most one of --url, --bundle and --archive');
      if (options.url !== undefined) return monitorCommand(options.url, options);
      if (options.bundle !== undefined) return verifyBundleCommand(options.bundle, options);
      if (options.archive !== undefined) return verifyArchiveCommand(options.archive, options);
      return verifyLocalLog(options, command);
    });
}
