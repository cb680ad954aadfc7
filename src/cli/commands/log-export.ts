// `writ log export -o FILE`: an evidence bundle of the selected entries, written to a temporary file and then moved into place.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, link, open, rename, unlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { EventInput } from '../../events/event-schema.ts';
import { bundleExportedEvent, parseBundleBound, prepareEvidenceBundle, type BundleRequest } from '../../reports/evidence-bundle-export.ts';
import { packBundle } from '../../reports/evidence-bundle-tar.ts';
import { AppError } from '../../shared/app-error.ts';
import { writVersion } from '../../shared/writ-version.ts';
import { withApp, writeOut } from '../cli-context.ts';

interface ExportOptions {
  output: string;
  from?: string;
  to?: string;
  type?: string;
  actor?: string;
  target?: string;
  outcome?: string;
  request?: string;
  grant?: string;
  redact?: true;
  force?: true;
}

function requestOf(o: ExportOptions): BundleRequest {
  return {
    from: o.from === undefined ? undefined : parseBundleBound(o.from, 'from'),
    to: o.to === undefined ? undefined : parseBundleBound(o.to, 'to'),
    type: o.type,
    actor: o.actor,
    target: o.target,
    outcome: o.outcome,
    requestId: o.request,
    grantId: o.grant,
    redact: o.redact === true,
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The local operator, as the actor of the export event (the OS user name is personal data, kept beside the entry). */
function localActor(): EventInput['actor'] {
  let name: string | undefined;
  try {
    name = userInfo().username.slice(0, 256) || undefined;
  } catch {
    name = undefined;
  }
  return { kind: 'system', id: 'writ-cli', authMethod: 'local', ...(name === undefined ? {} : { name }) };
}

/** Moves the finished temporary file to `out`: atomically replacing it with --force, else failing if it appeared meanwhile. */
async function moveIntoPlace(temp: string, out: string, force: boolean): Promise<void> {
  if (force) return rename(temp, out);
  try {
    await link(temp, out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('conflict', `"${out}" already exists: choose another file, or pass --force to replace it`);
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export function registerLogExport(log: Command): void {
  log
    .command('export')
    .description('write an evidence bundle (one tar file): the selected entries with their personal values, a receipt each against the published checkpoint, the key and the witness policy; check it with "writ verify --bundle"')
    .requiredOption('-o, --output <file>', 'the bundle file to write (refused if it exists, unless --force)')
    .option('--from <index|time>', 'first log index, or RFC 3339 time (inclusive)')
    .option('--to <index|time>', 'log index or RFC 3339 time to stop before (exclusive)')
    .option('--type <type>', 'event type, or a prefix ending in "*" (e.g. "access.*")')
    .option('--actor <id>', 'actor id')
    .option('--target <kind:id>', 'a target, e.g. "database:pg-prod"')
    .option('--outcome <outcome>', 'success, failure or denied')
    .option('--request <id>', 'context.requestId')
    .option('--grant <id>', 'context.grantId')
    .option('--redact', 'leave personal values out (the entries keep their commitments)')
    .option('--force', 'replace the output file if it exists')
    .action(async (options: ExportOptions, command: Command) => {
      const request = requestOf(options);
      const out = resolve(options.output);
      const force = options.force === true;
      if (!force && (await exists(out))) throw new AppError('conflict', `"${out}" already exists: choose another file, or pass --force to replace it`);
      const temp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
      const summary = await withApp(command, async (app) => {
        const deps = { store: app.store, search: app.eventSearch, tiles: app.tileCache, verifierKey: app.signer.verifierKey, witnessPolicyText: app.witnessPolicy?.text, nowMs: () => app.clock.nowMs(), tool: writVersion() };
        const bundle = await prepareEvidenceBundle(deps, request);
        // The export is on the ledger before any personal value leaves the database.
        const sequencer = app.startSequencer();
        await app.appender.append([app.auditEntry(bundleExportedEvent(bundle, localActor(), 'cli'))]);
        try {
          await pipeline(packBundle(bundle.members(), new Date(app.clock.nowMs())), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
          const handle = await open(temp, 'r');
          await handle.sync().finally(() => handle.close());
          await moveIntoPlace(temp, out, force);
        } catch (error) {
          await unlink(temp).catch(() => undefined);
          throw error;
        }
        await sequencer.drain();
        return bundle;
      });
      await writeOut(
        `wrote ${out}: ${summary.entryCount} entries of ${summary.origin} (indices ${summary.selection.fromIndex} to ${summary.selection.toIndex}, exclusive), ` +
          `proven against the checkpoint of size ${summary.checkpointSize}${summary.redacted ? ', personal values redacted' : ''}\n` +
          `check it with: writ verify --bundle ${options.output} --vkey '<the log's verifier key>'\n`,
      );
    });
}
