// The PostgreSQL gateway's listener: bounded connections, one session per client, grants watched, clean shutdown.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { serveClient } from './client-session.ts';
import type { GatewayDeps, GatewaySettings } from './gateway-deps.ts';
import { startGrantWatcher } from './grant-watcher.ts';
import { createPreAuthAdmission } from './pre-auth-admission.ts';
import { createSessionRegistry, type SessionRegistry } from './session-registry.ts';
import { loadStatementParser } from './statement-inspector.ts';

export interface PostgresGateway {
  readonly address: { host: string; port: number };
  readonly registry: SessionRegistry;
  /** Reads live grants now and cuts the sessions of ended ones (the watcher also does this on its own). */
  checkGrants(): Promise<void>;
  /** Writes the refusal summaries counted so far now (otherwise written every `refusalSummaryIntervalMs`). */
  summarizeRefusals(): Promise<void>;
  /** Connections still starting (not yet authenticated), all sources. */
  startingConnections(): number;
  /** Stops accepting, ends every session with a FATAL "shutting down", waits for their end events, writes pending refusal summaries. */
  close(): Promise<void>;
}

/**
 * Listens for PostgreSQL clients on `host:port` (port 0: any free port).
 * @example const gateway = await startPostgresGateway(deps, settings, { host: '127.0.0.1', port: 7432 }); await gateway.close();
 */
export async function startPostgresGateway(deps: GatewayDeps, settings: GatewaySettings, listen: { host: string; port: number }): Promise<PostgresGateway> {
  await loadStatementParser();
  const registry = createSessionRegistry();
  const sockets = new Set<Socket>();
  /** Connections still in startup: closing does not wait for them to finish (or time out). */
  const startingSockets = new Set<Socket>();
  const sessions = new Set<Promise<void>>();
  const admission = createPreAuthAdmission(deps, settings);
  let closing = false;
  const server: Server = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    const admitted = admission.admit(socket, { tooMany: sockets.size >= settings.maxConnections });
    if (admitted.kind === 'refused') return;
    sockets.add(socket);
    startingSockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('error', () => undefined);
    const guard = admitted.guard;
    const served = serveClient(socket, deps, settings, registry, {
      ...guard,
      startupDone() {
        guard.startupDone();
        startingSockets.delete(socket);
      },
    })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'a gateway connection failed');
        socket.destroy();
      })
      .finally(() => {
        sessions.delete(served);
      });
    sessions.add(served);
    socket.once('close', () => {
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const watcher = startGrantWatcher(
    { registry, clock: deps.clock, getGrant: deps.getGrant, onError: (error) => { deps.log.error({ err: error }, 'checking the grants of gateway sessions failed'); } },
    { tickMs: settings.grantTickMs, refreshMs: settings.grantRefreshMs },
  );
  return {
    address: { host: bound.address, port: bound.port },
    registry,
    checkGrants: () => watcher.check(true),
    summarizeRefusals: () => admission.summarize(),
    startingConnections: () => admission.starting(),
    async close() {
      closing = true;
      watcher.stop();
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      for (const session of registry.all()) session.cut('shutdown', 'Writ is shutting down; reconnect in a moment');
      for (const socket of startingSockets) socket.destroy();
      await Promise.all([...sessions]);
      for (const socket of sockets) socket.destroy();
      await closed;
      await admission.close();
    },
  };
}
