// One client connection from its first byte: TLS, startup, authentication, grant check, upstream, then the relay.
import type { Socket } from 'node:net';
import { grantState } from '../../access/access-types.ts';
import { AppError } from '../../shared/app-error.ts';
import { authenticationOk, backendKeyData, errorResponse, negotiateProtocolVersion, parameterStatus, readyForQuery } from './backend-messages.ts';
import { authenticateClient } from './client-authentication.ts';
import { createClientChannel, isClientGone, type ClientChannel } from './client-channel.ts';
import { FrontendProtocolError } from './frontend-reader.ts';
import { sessionStartedEvent, type Refusal, type SessionIdentity } from './gateway-audit.ts';
import type { GatewayDeps, GatewayResource, GatewaySettings } from './gateway-deps.ts';
import type { ConnectionGuard } from './pre-auth-admission.ts';
import type { Grant } from '../../access/access-types.ts';
import type { SessionEnforcement } from './statement-judge.ts';
import { createSessionGuard } from './session-guard.ts';
import type { SessionCutReason, SessionRegistry } from './session-registry.ts';
import { startRelay } from './session-relay.ts';
import { startupSettings } from './startup-settings.ts';
import { upstreamSessionRefusal } from './upstream-session-check.ts';
import { createStatementJudge } from './statement-judge.ts';
import { cancelUpstreamQuery } from './upstream-cancel.ts';
import { connectUpstream, type UpstreamSession, type UpstreamTarget } from './upstream-connection.ts';
import { UpstreamError } from './upstream-error.ts';

/** A refusal the client sees as a FATAL ErrorResponse, and the ledger as `gateway.connection.refused`. */
export class ConnectionRefused extends Error {
  constructor(readonly refusal: Omit<Refusal, 'clientAddress' | 'claimedUserName' | 'database' | 'user'>, message: string, readonly hint?: string) {
    super(message);
  }
}

/** The ledger could not commit the session's start: no session without its record (fail closed). */
class LedgerUnavailable extends Error {}

interface Startup {
  readonly user: string;
  readonly database: string;
  readonly applicationName: string | undefined;
  readonly tls: boolean;
  readonly parameters: ReadonlyMap<string, string>;
}

async function readStartup(channel: ClientChannel, deps: GatewayDeps, settings: GatewaySettings, registry: SessionRegistry): Promise<Startup | undefined> {
  let tls = false;
  for (;;) {
    const frame = await channel.readStartup();
    if (frame.kind === 'ssl-request') {
      if (settings.tls === undefined || tls) channel.write(Buffer.from('N'));
      else {
        await channel.upgradeToTls(settings.tls);
        tls = true;
      }
      continue;
    }
    if (frame.kind === 'gssenc-request') {
      channel.write(Buffer.from('N'));
      continue;
    }
    if (frame.kind === 'cancel-request') {
      const session = registry.findForCancel(frame.processId, frame.secretKey);
      if (session !== undefined) await session.cancel().catch((error: unknown) => { deps.log.warn({ err: error }, 'could not relay a cancel request'); });
      channel.socket().end();
      return undefined;
    }
    if (frame.majorVersion !== 3) throw new FrontendProtocolError(`unsupported frontend protocol ${frame.majorVersion}.${frame.minorVersion}: Writ speaks 3.0`);
    if (frame.minorVersion > 0 || frame.protocolOptions.length > 0) channel.write(negotiateProtocolVersion(0, frame.protocolOptions));
    const user = frame.parameters.get('user') ?? '';
    return { user, database: frame.parameters.get('database') ?? user, applicationName: frame.parameters.get('application_name'), tls, parameters: frame.parameters };
  }
}

/** The client's startup settings as the level allows them, or a refusal naming the one it does not. */
function upstreamParameters(startup: Startup, enforcement: SessionEnforcement, resourceId: string): Record<string, string> {
  const settings = startupSettings(startup.parameters, enforcement);
  if (settings.kind === 'accepted') return { ...settings.parameters };
  throw new ConnectionRefused({ reason: 'setting_refused', sqlState: settings.sqlState, resourceId }, settings.message, settings.hint);
}

async function openUpstream(resourceTarget: Promise<UpstreamTarget>, parameters: Record<string, string>, enforcement: SessionEnforcement, timeoutMs: number, resourceId: string): Promise<UpstreamSession> {
  let session: UpstreamSession;
  try {
    session = await connectUpstream(await resourceTarget, {
      startupParameters: parameters,
      // Also as a statement, for servers that ignore startup options (an embedded PGlite); the session check below verifies it took.
      initialStatements: enforcement.readOnly ? ['SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY'] : [],
      connectTimeoutMs: timeoutMs,
    });
  } catch (error) {
    if (error instanceof UpstreamError) {
      const rejected = error.kind === 'rejected' || error.kind === 'authentication';
      throw new ConnectionRefused({ reason: rejected ? 'upstream_rejected' : 'upstream_unavailable', sqlState: '08001', resourceId }, `Writ could not connect to ${resourceId}: ${error.message}`);
    }
    if (error instanceof AppError) throw new ConnectionRefused({ reason: 'upstream_unavailable', sqlState: '08001', resourceId }, `Writ could not connect to ${resourceId}: ${error.message}`);
    throw error;
  }
  const unsafe = upstreamSessionRefusal(session.parameters, enforcement, resourceId);
  if (unsafe !== undefined) {
    session.socket.destroy();
    throw new ConnectionRefused({ reason: 'unsafe_upstream', sqlState: unsafe.sqlState, resourceId }, unsafe.message, unsafe.hint);
  }
  return session;
}

/** Checks who the client is and what its credential allows; returns the session's identity and where to connect. */
async function admit(channel: ClientChannel, deps: GatewayDeps, guard: ConnectionGuard, startup: Startup, clientAddress: string | undefined, noteUser: (user: { id: string; name: string }) => void) {
  const resource = deps.resource(startup.database);
  if (resource === undefined) {
    throw new ConnectionRefused({ reason: 'unknown_resource', sqlState: '3D000' }, `no resource named "${startup.database}"`, 'writ resources lists what you can ask for; the database name is the resource id');
  }
  const waitMs = guard.loginWaitMs(startup.user);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    throw new ConnectionRefused({ reason: 'login_throttled', sqlState: '53300' }, `too many failed sign-ins as "${startup.user}" or from this address; wait ${seconds} s, then try again`);
  }
  const lookup = await deps.findCredentials(startup.user, resource.id, deps.clock.nowMs());
  if (lookup.user !== undefined) noteUser(lookup.user);
  const credential = await authenticateClient(channel, startup.user, resource.id, lookup);
  if (credential === undefined || lookup.user === undefined) {
    guard.loginFailed(startup.user);
    throw new ConnectionRefused(
      { reason: 'authentication_failed', sqlState: '28P01', resourceId: resource.id },
      `password authentication failed for user "${startup.user}" on ${resource.id}`,
      `run writ connect ${resource.id} for a fresh credential (it needs an active grant: writ request ${resource.id} --level <level> --for 1h --reason "...")`,
    );
  }
  guard.loginSucceeded(startup.user);
  const grant = await deps.getGrant(credential.grantId);
  const nowMs = deps.clock.nowMs();
  if (grant === undefined || grantState(grant, nowMs) !== 'active' || !resource.levels.includes(grant.level)) {
    const when = grant === undefined ? '' : grantState(grant, nowMs) === 'scheduled' ? ` (it starts at ${new Date(grant.startsAtMs).toISOString()})` : ' (it has ended)';
    throw new ConnectionRefused(
      { reason: 'no_active_grant', sqlState: '42501', resourceId: resource.id, grantId: credential.grantId },
      `no active grant for ${resource.id}${when}; run writ request ${resource.id} --level ${credential.level} --for 1h --reason "..."`,
    );
  }
  const identity: SessionIdentity = {
    sessionId: deps.ids.next(),
    userId: lookup.user.id,
    userName: lookup.user.name,
    clientAddress,
    credentialId: credential.credentialId,
    grantId: grant.id,
    requestId: grant.requestId,
    resourceId: resource.id,
    level: grant.level,
  };
  return { identity, grant, resource };
}

function refusalOf(error: ConnectionRefused, startup: Startup | undefined, user: { id: string; name: string } | undefined, clientAddress: string | undefined): Refusal {
  return { ...error.refusal, database: startup?.database, user, claimedUserName: startup?.user, clientAddress };
}

/**
 * Serves one connection until it ends. Every refusal is answered with the standard ErrorResponse and
 * recorded; the relay starts only after `gateway.session.started` is durable.
 */
export async function serveClient(raw: Socket, deps: GatewayDeps, settings: GatewaySettings, registry: SessionRegistry, guard: ConnectionGuard): Promise<void> {
  const clientAddress = raw.remoteAddress?.replace(/^::ffff:/, '');
  const channel = createClientChannel(raw, { maxStartupBytes: 10_000, maxPreAuthMessageBytes: settings.maxPreAuthMessageBytes, maxMessageBytes: settings.maxMessageBytes });
  let startup: Startup | undefined;
  let user: { id: string; name: string } | undefined;
  let authenticated = false;
  let upstream: UpstreamSession | undefined;
  let startupDone = false;
  const finishStartup = (): void => {
    if (startupDone) return;
    startupDone = true;
    clearTimeout(timer);
    guard.startupDone();
  };
  let timedOut: ConnectionRefused | undefined;
  const timer = setTimeout(() => {
    timedOut = new ConnectionRefused({ reason: 'startup_timeout', sqlState: '08006' }, `the client did not finish connecting within ${settings.startupTimeoutMs} ms`);
    channel.socket().destroy();
  }, settings.startupTimeoutMs);
  try {
    startup = await readStartup(channel, deps, settings, registry);
    if (startup === undefined) {
      finishStartup();
      return;
    }
    if (settings.requireTls && !startup.tls) {
      throw new ConnectionRefused({ reason: 'tls_required', sqlState: '28000' }, 'Writ accepts only TLS connections here', 'connect with sslmode=require');
    }
    const admitted = await admit(channel, deps, guard, startup, clientAddress, (found) => {
      user = found;
    });
    authenticated = true;
    const enforcement = admitted.resource.enforcement(admitted.grant.level);
    const parameters = upstreamParameters(startup, enforcement, admitted.resource.id);
    upstream = await openUpstream(admitted.resource.upstream(admitted.grant.level), parameters, enforcement, settings.upstreamConnectTimeoutMs, admitted.resource.id);
    // The client may have left (or timed out) while Writ waited for the server: no session for nobody.
    if (channel.socket().destroyed) throw new ConnectionRefused({ reason: 'protocol_error', sqlState: '08006' }, 'the client went away during startup');
    const started = deps.auditEntry(sessionStartedEvent(admitted.identity, { database: startup.database, tls: startup.tls, upstreamTls: upstream.tls, applicationName: startup.applicationName }));
    await deps.appender.append([started]).catch((error: unknown) => {
      throw new LedgerUnavailable('Writ could not record this session on its audit ledger, so it was not opened; try again shortly', { cause: error });
    });
    finishStartup();
    await runSession(channel, deps, settings, registry, { ...admitted, enforcement, upstream });
  } catch (error) {
    finishStartup();
    upstream?.socket.destroy();
    await refuse(channel, deps, guard, timedOut ?? error, startup, user, clientAddress, authenticated);
  }
}

async function refuse(channel: ClientChannel, deps: GatewayDeps, guard: ConnectionGuard, error: unknown, startup: Startup | undefined, user: { id: string; name: string } | undefined, clientAddress: string | undefined, authenticated: boolean): Promise<void> {
  const socket = channel.socket();
  if (error instanceof LedgerUnavailable) {
    // Nothing more can be recorded while the ledger fails; the server log keeps the cause.
    deps.log.error({ err: error.cause }, 'the ledger could not record a session start; the connection was refused');
    if (socket.writable) socket.end(errorResponse({ severity: 'FATAL', code: '58000', message: error.message }));
    socket.destroySoon();
    return;
  }
  let refused: ConnectionRefused;
  if (error instanceof ConnectionRefused) refused = error;
  else if (error instanceof FrontendProtocolError) refused = new ConnectionRefused({ reason: 'protocol_error', sqlState: error.sqlState }, error.message);
  else if (isClientGone(error) || socket.destroyed) refused = new ConnectionRefused({ reason: 'protocol_error', sqlState: '08006' }, 'the client went away during startup');
  else {
    deps.log.error({ err: error }, 'a gateway connection failed during startup');
    refused = new ConnectionRefused({ reason: 'protocol_error', sqlState: 'XX000' }, 'Writ failed to set up this connection');
  }
  const silent = error instanceof FrontendProtocolError && error.silent;
  if (socket.writable && !silent) {
    const fields = { severity: 'FATAL' as const, code: refused.refusal.sqlState, message: refused.message, ...(refused.hint === undefined ? {} : { hint: refused.hint }) };
    socket.end(errorResponse(fields));
  }
  socket.destroySoon();
  await guard.refused(refusalOf(refused, startup, user, clientAddress), authenticated);
}

interface Admitted {
  readonly identity: SessionIdentity;
  readonly grant: Grant;
  readonly resource: GatewayResource;
  readonly enforcement: SessionEnforcement;
  readonly upstream: UpstreamSession;
}

/** Tells the client it is in (parameters, Writ's own cancel key), registers the session and relays it. */
function runSession(channel: ClientChannel, deps: GatewayDeps, settings: GatewaySettings, registry: SessionRegistry, admitted: Admitted): Promise<void> {
  const { identity, upstream } = admitted;
  const key = registry.newCancelKey();
  const greeting = [authenticationOk()];
  for (const [name, value] of upstream.parameters) {
    greeting.push(parameterStatus(name, name === 'session_authorization' ? identity.userName : value));
  }
  greeting.push(backendKeyData(key.processId, key.secretKey), readyForQuery(upstream.transactionStatus));
  channel.write(Buffer.concat(greeting));
  channel.release();
  const target = admitted.resource.upstream(identity.level);
  const relay = startRelay(
    { clock: deps.clock, appender: deps.appender, auditEntry: deps.auditEntry, onError: (error, message) => { deps.log.error({ err: error, sessionId: identity.sessionId }, message); } },
    { maxMessageBytes: settings.maxMessageBytes, completionBatch: settings.completionBatch, completionFlushMs: settings.completionFlushMs },
    {
      identity,
      judge: createStatementJudge(admitted.enforcement),
      guard: createSessionGuard({ readOnly: admitted.enforcement.readOnly, startParameters: upstream.parameters }),
      logParameters: admitted.enforcement.logParameters,
      client: channel.socket(),
      reader: channel.reader,
      upstream: upstream.socket,
      upstreamBuffered: upstream.buffered,
      startedAtMs: deps.clock.nowMs(),
    },
  );
  const live = {
    sessionId: identity.sessionId,
    grantId: identity.grantId,
    resourceId: identity.resourceId,
    endsAtMs: admitted.grant.endsAtMs,
    processId: key.processId,
    secretKey: key.secretKey,
    cancel: async () => {
      if (upstream.backendKey === undefined) return;
      await cancelUpstreamQuery(await target, upstream.backendKey, settings.upstreamConnectTimeoutMs);
    },
    cut: (reason: SessionCutReason, message: string) => {
      if (relay.busy()) void live.cancel().catch(() => undefined);
      relay.end(reason, { code: '57P01', message });
    },
  };
  registry.add(live);
  // A client that left while its start was being recorded has no 'close' event left to end the relay.
  if (channel.socket().destroyed) relay.end('client_closed');
  return relay.ended.finally(() => {
    registry.remove(live);
  });
}
