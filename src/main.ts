// Runs the `writ` CLI and turns any failure into a message on stderr and an exit code from the error table.
import { CommanderError } from 'commander';
import { exitCodes } from './cli/exit-codes.ts';
import { createProgram } from './cli/program.ts';
import { isAppError } from './shared/app-error.ts';

async function main(): Promise<void> {
  try {
    await createProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 64;
    } else if (isAppError(error)) {
      process.stderr.write(`writ: ${error.message}\n`);
      process.exitCode = exitCodes[error.code];
    } else {
      process.stderr.write(`writ: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCodes.internal;
    }
  }
}

await main();
