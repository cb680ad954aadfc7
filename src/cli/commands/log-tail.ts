// `writ log tail [-n N] [-f] [--json]`: recent events, readable, with personal data joined back where it still exists.
import type { Command } from 'commander';
import { readEntry, type AuditEvent } from '../../events/event-preparation.ts';
import type { LedgerStore, SequencedEntry } from '../../ledger/ledger-store.ts';
import { AppError } from '../../shared/app-error.ts';
import { withApp, writeOut } from '../cli-context.ts';

function formatEvent(index: number, event: AuditEvent, json: boolean): string {
  if (json) return JSON.stringify({ index, event });
  const actorName = event.actor.name === undefined ? '' : ` (${event.actor.name})`;
  const targets = event.targets.map((t) => `${t.kind}:${t.id}`).join(',');
  const reason = event.reason === undefined ? '' : ` "${event.reason}"`;
  return `#${index} ${event.time} ${event.type} ${event.actor.kind}:${event.actor.id}${actorName} ${event.outcome}${targets === '' ? '' : ` → ${targets}`}${reason}`;
}

async function render(store: LedgerStore, entries: readonly SequencedEntry[], json: boolean): Promise<string> {
  const personal = await store.readPersonal(entries.map((e) => e.eventId));
  return entries.map((e) => `${formatEvent(e.index, readEntry(e.entry, personal.get(e.eventId)?.value), json)}\n`).join('');
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new AppError('invalid_input', `-n takes a whole number from 1 to 10000, not "${text}"`);
  return n;
}

export function registerLogTail(log: Command): void {
  log
    .command('tail')
    .description('print the most recent events, oldest first; -f keeps following new ones')
    .option('-n, --lines <count>', 'how many recent events', '20')
    .option('-f, --follow', 'keep printing events as they are sequenced')
    .option('--json', 'one JSON object per line: {"index", "event"}')
    .action(async (options: { lines: string; follow?: true; json?: true }, command: Command) => {
      const count = parseCount(options.lines);
      const json = options.json === true;
      await withApp(command, async (app) => {
        const stats = await app.store.entryStats();
        let next = (stats.maxIndex ?? -1) + 1;
        const recent = (await app.store.readRecentEntries(next, count)).reverse();
        await writeOut(await render(app.store, recent, json));
        if (options.follow !== true) return;
        const stop = new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
        const state = { stopped: false };
        void stop.then(() => {
          state.stopped = true;
        });
        while (!state.stopped) {
          const fresh = await app.store.readEntries(next, next + 1000);
          if (fresh.length > 0) {
            await writeOut(await render(app.store, fresh, json));
            next = (fresh[fresh.length - 1]?.index ?? next) + 1;
          } else {
            await Promise.race([stop, new Promise((resolve) => setTimeout(resolve, 500))]);
          }
        }
      });
    });
}
