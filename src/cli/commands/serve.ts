// `writ serve`: first-start admin, the configured policy file, the sequencer, the access and retention schedules and the HTTP server.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { openApp, type WritApp } from '../../app.ts';
import { applyPolicy } from '../../access/apply-policy.ts';
import { AppError } from '../../shared/app-error.ts';
import { configFor } from '../cli-context.ts';

/** The dashboard built by `npm run build:web` (the install step runs it). */
const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) };
}

/** Creates the first admin when there is no user yet; a generated password is shown once, on stderr, never logged. */
async function bootstrapAdmin(app: WritApp): Promise<void> {
  const result = await app.identity.bootstrapAdmin({ password: app.config.adminPassword });
  if (result.kind !== 'created') return;
  const shown = result.oneTimePassword === undefined ? 'the password in WRIT_ADMIN_PASSWORD' : `one-time password: ${result.oneTimePassword} (change it at first sign-in)`;
  process.stderr.write(`\nFirst start: created the administrator "${result.user.username}" with ${shown}\n\n`);
}

async function applyPolicyFile(app: WritApp): Promise<void> {
  const file = app.config.policyFile;
  if (file === undefined) return;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `cannot read the policy file ${file}: ${(error as Error).message}`);
  }
  const result = await applyPolicy(app.access, app.policy, 'system', { text, source: 'file', fileName: file });
  app.logger.info({ version: result.version, changed: result.changed, digest: result.digest }, result.changed ? 'applied the policy file' : 'the policy file is the version in force');
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Writ: the sequencer, the access scheduler, the HTTP server (health, the log as C2SP tiles, the API under /api), the PostgreSQL gateway and the demo database')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:7070)')
    .option('--pg-listen <host:port>', 'address of the PostgreSQL gateway (default 127.0.0.1:7432)')
    .option('--policy <file>', 'policy file to apply at start (a new version only when it changed)')
    .action(async (options: { listen?: string; pgListen?: string; policy?: string }, command: Command) => {
      const app = await openApp(configFor(command, { listen: options.listen, pgListen: options.pgListen, policyFile: options.policy }));
      await bootstrapAdmin(app);
      await applyPolicyFile(app);
      const sequencer = app.startSequencer();
      const scheduler = app.startScheduler();
      // Retention runs on its own schedule (daily by default); `app.close()` stops it. Nothing runs when the rules keep everything.
      app.startRetention();
      const { buildServer } = await import('../../http/server.ts');
      const { writApiOptions } = await import('../../http/writ-api.ts');
      const api = writApiOptions({ ...app, onAccessChanged: () => { scheduler.poke(); } });
      const server = buildServer({ store: app.store, logger: app.logger, readToken: app.config.logReadToken, tileCache: app.tileCache, publication: () => app.publication(), api, dashboard: { root: DASHBOARD_DIR } });
      const { host, port } = splitListen(app.config.listen);
      await server.listen({ host, port });
      const { serveGateway } = await import('./serve-gateway.ts');
      const gateway = await serveGateway(app);
      app.logger.info({ verifierKey: app.signer.verifierKey }, 'writ is serving; the log is signed by this verifier key');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await gateway.close();
      await server.close();
      await scheduler.stop();
      await sequencer.drain();
      await app.close();
    });
}
