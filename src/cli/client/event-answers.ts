// What the CLI reads from the events API's search answer (permissive: new fields are kept for --json and ignored here).
import { z } from 'zod';

const text = z.string().max(65_536);

export const eventAnswer = z.object({
  id: text,
  time: text,
  type: text,
  actor: z.object({ kind: text.optional(), id: text, name: text.optional() }),
  targets: z.array(z.object({ kind: text, id: text, name: text.optional() })),
  outcome: text,
  reason: text.optional(),
});
export type EventAnswer = z.infer<typeof eventAnswer>;

export const eventsPage = z.object({ events: z.array(z.object({ index: z.number(), event: eventAnswer })), next: z.string().nullable() });
