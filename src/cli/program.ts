// The `writ` command tree.
import { Command } from 'commander';
import { addGlobalOptions } from './cli-context.ts';
import { registerKeys } from './commands/keys-show.ts';
import { registerLogAppend } from './commands/log-append.ts';
import { registerLogRead } from './commands/log-read.ts';
import { registerLogTail } from './commands/log-tail.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerServe } from './commands/serve.ts';
import { registerVerify } from './commands/verify.ts';

export function createProgram(): Command {
  const program = addGlobalOptions(new Command('writ'))
    .description('Writ: just-in-time, approved, time-limited access, recorded in a tamper-evident audit log')
    .showHelpAfterError()
    .exitOverride();
  const log = program.command('log').description('the audit log: append, read, prove');
  registerLogAppend(log);
  registerLogRead(log);
  registerLogTail(log);
  registerKeys(program);
  registerMigrate(program);
  registerServe(program);
  registerVerify(program);
  return program;
}
