// `writ keys show`: the verifier key outsiders use to check checkpoints (never the signing key).
import type { Command } from 'commander';
import { loadSigner } from '../../storage/signing-key-file.ts';
import { configFor, writeOut } from '../cli-context.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the log signing key');
  keys
    .command('show')
    .description('print the verifier key (C2SP signed-note form: <name>+<key id>+<base64 key>)')
    .action(async (_options: unknown, command: Command) => {
      const config = configFor(command);
      const signer = loadSigner({ dataDir: config.dataDir, origin: config.logOrigin, operatorKey: config.logKey });
      await writeOut(`${signer.verifierKey}\n`);
    });
}
