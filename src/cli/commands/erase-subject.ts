// `writ erase --subject <id> --reason <text>`: erase the personal data of one subject's events (admin).
import type { Command } from 'commander';
import { z } from 'zod';
import { openApiSession } from '../client/api-session.ts';
import type { CliIo } from '../cli-io.ts';
import { printAnswer, withJsonOption } from '../format/answer-output.ts';

const erasureAnswer = z.object({ subjectId: z.string(), erasedCount: z.number().int() });

export function registerEraseSubject(program: Command, io: CliIo): void {
  withJsonOption(
    program
      .command('erase')
      .description("erase the personal data (names, addresses, personal fields) of a subject's events (admin); entries and proofs stay valid")
      .requiredOption('--subject <id>', "the subject's user id, as it appears as actor id in events")
      .requiredOption('--reason <text>', 'why, for the ledger (for example the request it answers)'),
  ).action(async (options: { subject: string; reason: string }, command: Command) => {
    const path = `/api/v1/subjects/${encodeURIComponent(options.subject)}/erase`;
    const { answer, json } = await openApiSession(command, io).client.exchange('POST', path, erasureAnswer, { body: { reason: options.reason } });
    await printAnswer(io, command, json, () => `Erased the personal data of ${answer.erasedCount} event(s) of subject ${answer.subjectId}.\n`);
  });
}
