// A gateway session driven by hand after a real SCRAM sign-in: raw protocol bytes out, every answer parsed, the end seen.
import type { Socket } from 'node:net';
import { parse } from 'pg-protocol';
import type { GatewayConnection } from './gateway-harness.ts';
import { connectUpstream } from '../upstream-connection.ts';

export interface RawAnswer {
  readonly name: string;
  readonly code?: string;
  readonly severity?: string;
  readonly message?: string;
  readonly text?: string;
  readonly fields?: (string | null)[];
  readonly parameterName?: string;
  readonly parameterValue?: string;
}

export interface RawSession {
  readonly socket: Socket;
  /** Writes `bytes` and resolves with every answer up to the `readyCount`-th ReadyForQuery, or up to the end of the connection. */
  send(bytes: Buffer, readyCount?: number): Promise<{ answers: RawAnswer[]; closed: boolean }>;
  end(): void;
}

const BOUND_MS = 10_000;

/** Signs in through the gateway with Writ's own client code and hands over the socket. */
export async function openRawSession(connection: GatewayConnection): Promise<RawSession> {
  const session = await connectUpstream(
    { host: connection.host, port: connection.port, database: connection.database, user: connection.user, password: connection.password, tls: 'disable' },
    { startupParameters: {}, connectTimeoutMs: BOUND_MS },
  );
  const { socket } = session;
  let received: RawAnswer[] = [];
  let readyLeft = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  void parse(socket, (message) => {
    const m = message as unknown as Record<string, unknown>;
    const text = (key: string): Record<string, string> => (typeof m[key] === 'string' ? { [key]: m[key] } : {});
    received.push({
      name: message.name,
      ...text('code'),
      ...text('severity'),
      ...text('message'),
      ...text('text'),
      ...(Array.isArray(m.fields) ? { fields: m.fields as (string | null)[] } : {}),
      ...(typeof m.parameterName === 'string' ? { parameterName: m.parameterName, parameterValue: String(m.parameterValue) } : {}),
    });
    if (message.name === 'readyForQuery') {
      readyLeft -= 1;
      if (readyLeft <= 0) wake?.();
    }
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  socket.on('error', () => undefined);
  socket.resume();
  return {
    socket,
    async send(bytes, readyCount = 1) {
      received = [];
      readyLeft = readyCount;
      const done = new Promise<void>((resolve, reject) => {
        wake = resolve;
        setTimeout(() => { reject(new Error(`neither ${readyCount} ReadyForQuery nor the end within ${BOUND_MS} ms`)); }, BOUND_MS).unref();
      });
      if (closed) wake?.();
      else socket.write(bytes);
      await done;
      return { answers: received, closed };
    },
    end() {
      socket.end();
    },
  };
}
