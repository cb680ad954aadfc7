// `writ serve`: runs the sequencer and the HTTP server until SIGINT or SIGTERM.
import type { Command } from 'commander';
import { openApp } from '../../app.ts';
import { configFor } from '../cli-context.ts';

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the sequencer and the HTTP server (health, the log as C2SP tiles, the API under /api)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:7070)')
    .action(async (options: { listen?: string }, command: Command) => {
      const app = await openApp(configFor(command, { listen: options.listen }));
      const sequencer = app.startSequencer();
      const { buildServer } = await import('../../http/server.ts');
      const { eventRoutes } = await import('../../http/event-routes.ts');
      const { createReadTokenAuthenticator } = await import('../../http/read-token-authenticator.ts');
      const events = eventRoutes({ store: app.store, search: app.eventSearch, appender: app.appender, clock: app.clock, ids: app.ids });
      // Until identity is wired, the read token is the only credential: it may read events (scope log:read), not write them.
      const api = { authenticator: createReadTokenAuthenticator(app.config.logReadToken), routes: [events] };
      const server = buildServer({ store: app.store, logger: app.logger, readToken: app.config.logReadToken, api });
      const { host, port } = splitListen(app.config.listen);
      await server.listen({ host, port });
      app.logger.info({ verifierKey: app.signer.verifierKey }, 'writ is serving; the log is signed by this verifier key');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await sequencer.drain();
      await app.close();
    });
}
