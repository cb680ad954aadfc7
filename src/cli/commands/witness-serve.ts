// `writ witness serve`: a small independent C2SP tlog-witness that cosigns the checkpoints of the logs it is given.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../../shared/app-error.ts';
import { loadWitnessCosigner } from '../../witness/witness-key-file.ts';
import { startWitnessServer } from '../../witness/witness-server.ts';
import { openWitnessStore } from '../../witness/witness-store.ts';

interface WitnessServeOptions {
  listen: string;
  logKey: string[];
  logKeysFile?: string;
  name?: string;
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const port = Number(listen.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('config_invalid', `--listen "${listen}" is not <host>:<port>`);
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

function readKeysFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `cannot read the log keys file ${file}: ${(error as Error).message}`);
  }
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerWitnessServe(witness: Command): void {
  witness
    .command('serve')
    .description('run a C2SP tlog-witness: POST /add-checkpoint cosigns checkpoints of the known logs')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7380')
    .option('--log-key <vkey>', 'verifier key of a log to witness (repeatable); the origin is the key name', collect, [])
    .option('--log-keys-file <file>', 'file of log verifier keys, one a line (# comments)')
    .option('--name <name>', 'name of a new witness key (default <host>/witness)')
    .action(async (options: WitnessServeOptions, command: Command) => {
      // --data is the program's global option: here the witness's own directory (database and key), required.
      const dataDir = command.optsWithGlobals<{ data?: string }>().data;
      if (dataDir === undefined) throw new AppError('config_invalid', 'give --data <dir>: the directory of the witness database and key');
      const logVerifierKeys = [...options.logKey, ...(options.logKeysFile === undefined ? [] : readKeysFile(options.logKeysFile))];
      if (logVerifierKeys.length === 0) throw new AppError('config_invalid', 'give at least one --log-key or a --log-keys-file');
      const name = options.name ?? `${hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'localhost'}/witness`;
      const cosigner = loadWitnessCosigner({ dataDir, name });
      const store = openWitnessStore(dataDir);
      const running = await startWitnessServer({ store, cosigner, logVerifierKeys }, splitListen(options.listen));
      process.stdout.write(`witness verifier key: ${cosigner.verifierKey}\nlistening on ${running.url} for ${String(logVerifierKeys.length)} log key(s)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
      store.close();
    });
}

/** `writ witness evidence`: prints what the witness kept of forks and bad proofs; exit 1 when there is any. */
export function registerWitnessEvidence(witness: Command): void {
  witness
    .command('evidence')
    .description('list the evidence the witness kept (forks, bad consistency proofs): both checkpoints, verbatim; exit 1 if there is any')
    .option('--log <origin>', 'only the log with this origin')
    .option('--json', 'print JSON')
    .action(async (options: { log?: string; json?: true }, command: Command) => {
      const dataDir = command.optsWithGlobals<{ data?: string }>().data;
      if (dataDir === undefined) throw new AppError('config_invalid', 'give --data <dir>: the directory of the witness database and key');
      const store = openWitnessStore(dataDir);
      const evidence = (() => {
        try {
          return store.listEvidence(options.log);
        } finally {
          store.close();
        }
      })();
      const text =
        options.json === true
          ? `${JSON.stringify(evidence.map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })))}\n`
          : evidence.length === 0
            ? 'no evidence: every checkpoint this witness was shown extended the one it held\n'
            : evidence
                .map((e) => `${e.kind.toUpperCase()} of ${e.origin} at ${new Date(e.atMs).toISOString()}\n--- checkpoint the witness held:\n${e.storedNote}--- checkpoint it was shown:\n${e.presentedNote}`)
                .join('\n');
      await new Promise<void>((resolve) => process.stdout.write(text, () => { resolve(); }));
      if (evidence.length > 0) throw new AppError('ledger_inconsistent', `the witness holds ${String(evidence.length)} piece(s) of evidence of a misbehaving log`);
    });
}
