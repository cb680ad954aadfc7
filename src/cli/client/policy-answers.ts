// What the CLI reads from the policy API's answers (permissive: fields the server adds are kept for --json and ignored here).
import { z } from 'zod';
import { pageOf } from '../../http/access-schemas.ts';

const text = z.string().max(4096);

export const policyVersionAnswer = z.object({ version: z.number(), digest: text, source: text.optional(), appliedBy: text.optional(), appliedAt: text.optional() });
export const policyTextAnswer = policyVersionAnswer.extend({ text: z.string(), diff: z.string().optional() });
export const policyVersionsPage = pageOf(policyVersionAnswer);

export const policyProblem = z.object({ file: text, line: z.number(), column: z.number(), path: text, message: text });
export type PolicyProblem = z.infer<typeof policyProblem>;

export const validateAnswer = z.object({ valid: z.boolean(), problems: z.array(policyProblem), warnings: z.array(policyProblem) });
export const applyAnswer = z.object({ changed: z.boolean(), version: z.number(), digest: text, diff: z.string(), warnings: z.array(policyProblem) });

const denial = z.object({ kind: z.literal('deny'), reasons: z.array(text) });
const granting = { policy: text, durationSeconds: z.number(), maxDurationSeconds: z.number() };
const decision = z.discriminatedUnion('kind', [
  denial,
  z.object({ kind: z.literal('needs-approval'), ...granting, onDenial: text.optional(), selfApproval: text.optional(), pendingTtlSeconds: z.number().optional() }),
  z.object({ kind: z.literal('auto-approve'), ...granting, rule: text }),
]);
const breakGlass = z.discriminatedUnion('kind', [denial, z.object({ kind: z.literal('break-glass'), ...granting, notify: z.array(text) })]);
const stage = z.object({
  name: text,
  count: z.number(),
  groups: z.array(text),
  users: z.array(text),
  approvers: z.array(z.object({ user: text, flags: z.array(text) })).optional(),
  satisfiable: z.boolean().optional(),
});

export const policyTestAnswer = z.object({ decision, breakGlass, stages: z.array(stage) });
export type PolicyTestAnswer = z.infer<typeof policyTestAnswer>;
