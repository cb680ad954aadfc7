// `writ serve`'s PostgreSQL side: the gateway (TLS generated or given) and, unless turned off, the demo database.
import type { WritApp } from '../../app.ts';
import { hostAndPort } from '../../config/config-schema.ts';
import { defaultGatewaySettings } from '../../gateway/postgres/gateway-deps.ts';
import { startPostgresGateway } from '../../gateway/postgres/gateway-server.ts';
import { loadGatewayTls } from '../../gateway/postgres/gateway-tls.ts';

export interface ServedGateway {
  close(): Promise<void>;
}

async function startDemo(app: WritApp): Promise<(() => Promise<void>) | undefined> {
  if (app.config.demoDb === 'off') return undefined;
  const { startDemoDatabase } = await import('../../gateway/demo-database.ts');
  const listen = hostAndPort(app.config.demoListen);
  try {
    const demo = await startDemoDatabase({ dataDir: app.config.dataDir, host: listen.host, port: listen.port, logger: app.logger });
    app.logger.info({ demoListen: app.config.demoListen }, 'the demo database (demo-db in the example policy) is running; WRIT_DEMO_DB=off turns it off');
    return () => demo.close();
  } catch (error) {
    app.logger.warn({ err: error, demoListen: app.config.demoListen }, 'the demo database could not start; Writ runs without it');
    return undefined;
  }
}

/**
 * Starts the gateway on `pgListen` and the demo database on `demoListen`.
 * @example const served = await serveGateway(app); await served.close();
 */
export async function serveGateway(app: WritApp): Promise<ServedGateway> {
  const closeDemo = await startDemo(app);
  const tls = await loadGatewayTls({ dataDir: app.config.dataDir, certFile: app.config.pgTlsCert, keyFile: app.config.pgTlsKey });
  const gateway = await startPostgresGateway(
    app.gatewayDeps(),
    {
      ...defaultGatewaySettings,
      tls: tls.context,
      requireTls: app.config.pgRequireTls === 'on',
      startupTimeoutMs: app.config.pgStartupTimeoutMs,
      maxStartingConnections: app.config.pgMaxStarting,
      maxStartingPerSource: app.config.pgMaxStartingPerSource,
      maxPreAuthMessageBytes: app.config.pgMaxPreAuthMessageBytes,
      refusalSummaryIntervalMs: app.config.pgRefusalSummarySeconds * 1000,
    },
    hostAndPort(app.config.pgListen),
  );
  app.logger.info({ pgListen: `${gateway.address.host}:${gateway.address.port}`, tlsFingerprint: tls.fingerprint, tlsCertificate: tls.source }, 'the PostgreSQL gateway is listening');
  return {
    async close() {
      await gateway.close();
      await closeDemo?.();
    },
  };
}
