// `writ policy validate FILE` and `writ policy apply FILE`: check a policy file on the server, or make it the policy in force.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { MAX_POLICY_FILE_BYTES } from '../../access/policy-file.ts';
import { AppError, isAppError } from '../../shared/app-error.ts';
import { openApiSession } from '../client/api-session.ts';
import { applyAnswer, policyProblem, validateAnswer, type PolicyProblem } from '../client/policy-answers.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';
import { safeLines, safeText } from '../format/terminal-text.ts';

function readPolicyFile(file: string): string {
  try {
    // The server refuses larger files; checking first gives a clearer message than a 413.
    if (statSync(file).size > MAX_POLICY_FILE_BYTES) throw new AppError('payload_too_large', `${file} is larger than a policy file may be (${MAX_POLICY_FILE_BYTES} bytes)`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (isAppError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('not_found', `there is no file ${file}`);
    throw new AppError('not_found', `cannot read ${file}: ${(error as Error).message}`);
  }
}

/** `file:line:column: path: message`, naming the file as the user typed it (the server only saw its base name). */
function formatProblems(file: string, problems: readonly PolicyProblem[], label = ''): string {
  const sent = basename(file);
  return problems.map((p) => `${p.file === sent ? file : safeText(p.file)}:${p.line}:${p.column}: ${label}${safeText(p.path)}: ${safeText(p.message)}\n`).join('');
}

function invalid(file: string, count: number): AppError {
  // Exit 65 (EX_DATAERR): the file's content is wrong, as with a bad event.
  return new AppError('invalid_event', `${file} is not a valid policy: ${count} problem${count === 1 ? '' : 's'}`);
}

/** The problems a refused apply lists in its problem+json body, if any. */
function problemsOf(error: unknown): PolicyProblem[] | undefined {
  if (!isAppError(error, 'invalid_input')) return undefined;
  const parsed = policyProblem.array().safeParse(error.details?.problems);
  return parsed.success && parsed.data.length > 0 ? parsed.data : undefined;
}

export function registerApplyPolicy(policy: Command, io: CliIo): void {
  withJsonOption(policy.command('validate <file>').description('check a policy file without applying it; exit 65 when it is not valid')).action(async (file: string, _options: unknown, command: Command) => {
    const body = { text: readPolicyFile(file), fileName: basename(file) };
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', '/api/v1/policy/validate', validateAnswer, { body });
    await printAnswer(io, command, json, () =>
      answer.valid ? `${file} is a valid policy.\n${formatProblems(file, answer.warnings, 'warning: ')}` : formatProblems(file, answer.problems),
    );
    if (!answer.valid) throw invalid(file, answer.problems.length);
  });

  withJsonOption(policy.command('apply <file>').description('make a policy file the policy in force (a new version when its content changed)')).action(async (file: string, _options: unknown, command: Command) => {
    const body = { text: readPolicyFile(file), fileName: basename(file) };
    const session = openApiSession(command, io);
    const result = await session.client.exchange('PUT', '/api/v1/policy', applyAnswer, { body }).catch(async (error: unknown) => {
      const problems = problemsOf(error);
      if (problems === undefined) throw error;
      await printAnswer(io, command, (error as AppError).details, () => formatProblems(file, problems));
      throw invalid(file, problems.length);
    });
    const { answer, json } = result;
    await printAnswer(io, command, json, () => {
      const head = answer.changed ? `Applied ${file} as policy version ${answer.version} (${answer.digest}).\n` : `No change: ${file} is policy version ${answer.version} already.\n`;
      const diff = answer.changed && answer.diff !== '' ? `\n${safeLines(answer.diff.endsWith('\n') ? answer.diff : `${answer.diff}\n`)}` : '';
      return head + formatProblems(file, answer.warnings, 'warning: ') + diff;
    });
  });
}
