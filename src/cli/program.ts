// The `writ` command tree.
import { Command } from 'commander';
import { addGlobalOptions } from './cli-context.ts';
import { processIo, type CliIo } from './cli-io.ts';
import { registerApplyPolicy } from './commands/apply-policy.ts';
import { registerChangeGrant } from './commands/change-grant.ts';
import { registerConnectResource } from './commands/connect-resource.ts';
import { registerPasswd } from './commands/change-password.ts';
import { registerDecideRequest } from './commands/decide-request.ts';
import { registerEraseSubject } from './commands/erase-subject.ts';
import { registerKeys } from './commands/keys-show.ts';
import { registerListGrants } from './commands/list-grants.ts';
import { registerListRequests } from './commands/list-requests.ts';
import { registerListResources } from './commands/list-resources.ts';
import { registerLogAppend } from './commands/log-append.ts';
import { registerLogArchive } from './commands/log-archive.ts';
import { registerLogExport } from './commands/log-export.ts';
import { registerLogRead } from './commands/log-read.ts';
import { registerLogTail } from './commands/log-tail.ts';
import { registerLogin } from './commands/login-session.ts';
import { registerGroups } from './commands/manage-groups.ts';
import { registerTokens } from './commands/manage-tokens.ts';
import { registerUsers } from './commands/manage-users.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerQueryEvents } from './commands/query-events.ts';
import { registerHolds, registerRetention } from './commands/manage-retention.ts';
import { registerRequestAccess } from './commands/request-access.ts';
import { registerServe } from './commands/serve.ts';
import { registerShowIdentity } from './commands/show-identity.ts';
import { registerShowPolicy } from './commands/show-policy.ts';
import { registerTestPolicy } from './commands/test-policy.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWitnessEvidence, registerWitnessServe } from './commands/witness-serve.ts';

/** Commands that work on the local database and log. */
function registerLocalCommands(program: Command): void {
  const log = program.command('log').description('the audit log: append, read, prove');
  registerLogAppend(log);
  registerLogRead(log);
  registerLogTail(log);
  registerLogArchive(log);
  registerLogExport(log);
  registerKeys(program);
  registerMigrate(program);
  registerServe(program);
  registerVerify(program);
  const witness = program.command('witness').description('a C2SP tlog-witness of other logs');
  registerWitnessServe(witness);
  registerWitnessEvidence(witness);
}

/** Commands that talk to a Writ server over its HTTP API (--server). */
function registerApiCommands(program: Command, io: CliIo): void {
  // Signing in
  registerLogin(program, io);
  registerShowIdentity(program, io);
  registerPasswd(program, io);
  // Access: ask, review, hold
  registerRequestAccess(program, io);
  registerListRequests(program, io);
  registerDecideRequest(program, io);
  registerListGrants(program, io);
  registerChangeGrant(program, io);
  registerListResources(program, io);
  // Using a grant: the PostgreSQL gateway
  registerConnectResource(program, io);
  // Policy as code
  const policy = program.command('policy').description('the access policy: show, validate, apply, test');
  registerShowPolicy(policy, io);
  registerApplyPolicy(policy, io);
  registerTestPolicy(policy, io);
  // Administration and audit
  registerUsers(program, io);
  registerGroups(program, io);
  registerTokens(program, io);
  registerQueryEvents(program, io);
  registerEraseSubject(program, io);
  registerRetention(program, io);
  registerHolds(program, io);
}

export function createProgram(io: CliIo = processIo()): Command {
  const program = addGlobalOptions(new Command('writ'))
    .description('Writ: just-in-time, approved, time-limited access, recorded in a tamper-evident audit log')
    .showHelpAfterError()
    .exitOverride();
  registerLocalCommands(program);
  registerApiCommands(program, io);
  return program;
}
