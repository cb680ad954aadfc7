// Awaitable reads of a client's first messages (startup, TLS, authentication), before the relay takes the socket.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { createFrontendReader, FrontendProtocolError, MESSAGE_HEADER_BYTES, type FrontendFrame, type FrontendReader, type StartupFrame } from './frontend-reader.ts';

export interface ClientChannel {
  readonly reader: FrontendReader;
  socket(): Socket;
  readStartup(): Promise<StartupFrame>;
  readMessage(): Promise<FrontendFrame>;
  write(bytes: Buffer): void;
  /** Answers SSLRequest with 'S' and completes the TLS handshake on the same connection. */
  upgradeToTls(context: SecureContext): Promise<void>;
  /** Stops reading and lifts the message limit to the session's: the relay attaches its own listeners from here on. */
  release(): void;
}

export interface ClientChannelLimits {
  /** Longest startup packet (PostgreSQL: 10,000 bytes). */
  readonly maxStartupBytes: number;
  /** Largest message before authentication: SASL messages are far smaller than a kilobyte. */
  readonly maxPreAuthMessageBytes: number;
  /** Largest message once the relay takes over. */
  readonly maxMessageBytes: number;
}

class ClientGoneError extends Error {}

/** True when the client closed or reset the connection during the handshake (not worth an error log). */
export function isClientGone(error: unknown): boolean {
  return error instanceof ClientGoneError;
}

/**
 * Before authentication the client gets small limits: a message is refused on its length field, and once a
 * whole message is held unread the socket is paused, so a starting connection holds at most
 * max(maxStartupBytes, maxPreAuthMessageBytes + 5) bytes plus one read, however fast it sends.
 * @example const channel = createClientChannel(socket, { maxStartupBytes: 10_000, maxPreAuthMessageBytes: 8192, maxMessageBytes }); await channel.readStartup()
 */
export function createClientChannel(raw: Socket, limits: ClientChannelLimits): ClientChannel {
  const reader = createFrontendReader({ maxStartupBytes: limits.maxStartupBytes, maxMessageBytes: limits.maxPreAuthMessageBytes });
  reader.setMessageLimit(limits.maxPreAuthMessageBytes, 'before authentication');
  const maxHeldBytes = Math.max(limits.maxStartupBytes, limits.maxPreAuthMessageBytes + MESSAGE_HEADER_BYTES);
  let current: Socket = raw;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let released = false;
  const onData = (chunk: Buffer): void => {
    try {
      reader.push(chunk);
    } catch (error) {
      failure = error instanceof Error ? error : new FrontendProtocolError('unreadable message');
    }
    if (reader.buffered() >= maxHeldBytes) current.pause();
    wake?.();
  };
  const onGone = (): void => {
    failure ??= new ClientGoneError('the client closed the connection');
    wake?.();
  };
  const attach = (socket: Socket): void => {
    socket.on('data', onData);
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
  };
  const detach = (socket: Socket): void => {
    socket.off('data', onData);
    socket.off('end', onGone);
    socket.off('close', onGone);
    socket.off('error', onGone);
  };
  const next = async <T>(read: () => T | undefined): Promise<T> => {
    for (;;) {
      const value = read();
      if (!released && current.isPaused() && reader.buffered() < maxHeldBytes) current.resume();
      if (value !== undefined) return value;
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };
  attach(raw);
  return {
    reader,
    socket: () => current,
    readStartup: () => next(() => reader.readStartup()),
    readMessage: () => next(() => reader.read()),
    write(bytes) {
      if (current.writable) current.write(bytes);
    },
    async upgradeToTls(context) {
      // Bytes sent before the TLS handshake would be read as if encrypted (CVE-2021-23214): refuse them.
      if (reader.buffered() > 0) throw new FrontendProtocolError('the client sent data after SSLRequest before the TLS handshake');
      current.write(Buffer.from('S'));
      detach(current);
      const secure = new TLSSocket(current, { isServer: true, secureContext: context });
      current = secure;
      attach(secure);
      await new Promise<void>((resolve, reject) => {
        secure.once('secure', resolve);
        secure.once('error', reject);
        secure.once('close', () => {
          reject(new ClientGoneError('the client closed the connection during the TLS handshake'));
        });
      });
    },
    release() {
      released = true;
      detach(current);
      current.pause();
      reader.setMessageLimit(limits.maxMessageBytes);
    },
  };
}
