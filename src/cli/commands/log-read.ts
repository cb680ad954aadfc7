// `writ log checkpoint|entry|proof`: the log's signed state, exact entry bytes, and C2SP receipts.
import type { Command } from 'commander';
import { AppError } from '../../shared/app-error.ts';
import { publishedCheckpointOrFail, receiptFor } from '../../ledger/log-reader.ts';
import { withApp, writeOut } from '../cli-context.ts';

function parseIndex(text: string): number {
  if (!/^(0|[1-9]\d{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new AppError('invalid_input', `"${text}" is not an entry index: give a whole number from 0`);
  }
  return Number(text);
}

export function registerLogRead(log: Command): void {
  log
    .command('checkpoint')
    .description('print the latest published checkpoint, verbatim (C2SP tlog-checkpoint in a signed note, with witness cosignatures under a witness policy)')
    .action(async (_options: unknown, command: Command) => {
      const note = await withApp(command, async (app) => (await publishedCheckpointOrFail(app.store)).note);
      await writeOut(note);
    });
  log
    .command('entry <index>')
    .description('print the exact bytes of entry N (the leaf is SHA-256 of 0x00 and these bytes)')
    .action(async (indexText: string, _options: unknown, command: Command) => {
      const index = parseIndex(indexText);
      const entry = await withApp(command, async (app) => {
        const [found] = await app.store.readEntries(index, index + 1);
        if (found === undefined) {
          const [removed] = (await app.store.removed?.readRemovedRanges(index, index + 1)) ?? [];
          if (removed !== undefined) throw new AppError('gone', `entry ${index} was removed by retention: its content is gone, its leaf hash stays (writ log proof ${index} still works)`);
          throw new AppError('not_found', `there is no entry ${index} in the log yet`);
        }
        return found.entry;
      });
      await writeOut(entry);
    });
  log
    .command('proof <index>')
    .description('print a c2sp.org/tlog-proof@v1 receipt for entry N against the latest checkpoint')
    .action(async (indexText: string, _options: unknown, command: Command) => {
      const index = parseIndex(indexText);
      const receipt = await withApp(command, (app) => receiptFor(app.store, index, app.tileCache));
      await writeOut(receipt);
    });
}
