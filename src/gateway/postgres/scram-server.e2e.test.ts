// End to end: node-postgres and postgres.js sign in to a tiny server built from the frontend reader, the backend encoders and SCRAM.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import {
  authenticationCleartextPassword,
  authenticationOk,
  authenticationSasl,
  authenticationSaslContinue,
  authenticationSaslFinal,
  backendKeyData,
  commandComplete,
  emptyQueryResponse,
  errorResponse,
  noticeResponse,
  parameterStatus,
  readyForQuery,
  sslResponse,
} from './backend-messages.ts';
import { FrontendMessageType, createFrontendReader } from './frontend-reader.ts';
import { decodePasswordMessage, decodeQuery, decodeSaslInitialResponse, decodeSaslResponse } from './frontend-decoders.ts';
import type { FrontendFrame } from './frontend-reader.ts';
import { SCRAM_SHA_256, createScramExchange, verifyCleartextPassword } from './scram-server.ts';
import type { ScramExchange } from './scram-server.ts';
import { createScramVerifier } from './scram-verifier.ts';

const salt = Buffer.from('0123456789abcdef');
const verifiers = [createScramVerifier('first-credential', salt), createScramVerifier('second-credential', salt)];

interface TinyServer {
  readonly port: number;
  /** SQL received, and the index of the credential each session proved. */
  readonly queries: string[];
  readonly matched: number[];
  close(): Promise<void>;
}

/** One connection: startup, authentication, then simple queries until Terminate. */
function serveConnection(socket: Socket, auth: 'scram' | 'cleartext', server: { queries: string[]; matched: number[] }): void {
  const reader = createFrontendReader({ maxStartupBytes: 10_000, maxMessageBytes: 1 << 20 });
  let phase: 'startup' | 'sasl-initial' | 'sasl-final' | 'password' | 'ready' = 'startup';
  let user = '';
  let exchange: ScramExchange | undefined;

  const refuse = (): void => {
    socket.end(errorResponse({ severity: 'FATAL', code: '28P01', message: `password authentication failed for user "${user}"` }));
  };
  const signedIn = (index: number): Buffer => {
    server.matched.push(index);
    return Buffer.concat([authenticationOk(), parameterStatus('server_version', '17.0'), parameterStatus('client_encoding', 'UTF8'), backendKeyData(7, Buffer.from('key!')), readyForQuery('I')]);
  };
  const onFrame = (frame: FrontendFrame): void => {
    if (phase === 'sasl-initial') {
      const { mechanism, data } = decodeSaslInitialResponse(frame.body);
      assert.equal(mechanism, SCRAM_SHA_256);
      exchange = createScramExchange({ salt, iterations: verifiers[0]?.iterations ?? 0 });
      socket.write(authenticationSaslContinue(exchange.serverFirst(data ?? Buffer.alloc(0))));
      phase = 'sasl-final';
    } else if (phase === 'sasl-final') {
      const result = exchange?.verifyClientFinal(decodeSaslResponse(frame.body), verifiers);
      if (!result?.ok) {
        refuse();
        return;
      }
      socket.write(Buffer.concat([authenticationSaslFinal(result.serverFinal), signedIn(result.index)]));
      phase = 'ready';
    } else if (phase === 'password') {
      const index = verifyCleartextPassword(decodePasswordMessage(frame.body), verifiers);
      if (index === undefined) {
        refuse();
        return;
      }
      socket.write(signedIn(index));
      phase = 'ready';
    } else if (frame.type === FrontendMessageType.Terminate) {
      socket.end();
    } else {
      assert.equal(frame.type, FrontendMessageType.Query);
      const { sql } = decodeQuery(frame.body);
      server.queries.push(sql);
      const answer = sql.trim() === '' ? [emptyQueryResponse()] : [noticeResponse({ severity: 'NOTICE', code: '00000', message: `seen: ${sql}` }), commandComplete('SELECT 0')];
      socket.write(Buffer.concat([...answer, readyForQuery('I')]));
    }
  };
  const pump = (): void => {
    while (phase === 'startup') {
      const startup = reader.readStartup();
      if (startup === undefined) return;
      if (startup.kind === 'ssl-request') {
        socket.write(sslResponse(false));
        continue;
      }
      assert.equal(startup.kind, 'startup');
      user = startup.parameters.get('user') ?? '';
      socket.write(auth === 'scram' ? authenticationSasl([SCRAM_SHA_256]) : authenticationCleartextPassword());
      phase = auth === 'scram' ? 'sasl-initial' : 'password';
    }
    for (let frame = reader.read(); frame !== undefined && !socket.writableEnded; frame = reader.read()) onFrame(frame);
  };
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    try {
      pump();
    } catch (error) {
      socket.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
  socket.on('error', () => undefined);
}

async function startServer(auth: 'scram' | 'cleartext'): Promise<TinyServer> {
  const state = { queries: [] as string[], matched: [] as number[] };
  const server: Server = createServer((socket) => { serveConnection(socket, auth, state); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    ...state,
    close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
  };
}

function client(port: number, password: string, extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port, user: 'alice', database: 'prod', password, ...extra });
}

test('node-postgres signs in with SCRAM-SHA-256 using the second credential, runs queries, hears notices', async () => {
  const server = await startServer('scram');
  try {
    const c = client(server.port, 'second-credential');
    const notices: string[] = [];
    c.on('notice', (notice) => notices.push(notice.message ?? ''));
    await c.connect();
    const result = await c.query('select 1');
    assert.equal(result.command, 'SELECT');
    assert.deepEqual(result.rows, []);
    assert.equal((await c.query('  ')).command, null);
    await c.end();
    assert.deepEqual(server.queries, ['select 1', '  ']);
    assert.deepEqual(server.matched, [1]);
    assert.deepEqual(notices, ['seen: select 1']);
  } finally {
    await server.close();
  }
});

test('node-postgres with a wrong password gets the 28P01 FATAL the server sent', async () => {
  for (const auth of ['scram', 'cleartext'] as const) {
    const server = await startServer(auth);
    try {
      await assert.rejects(client(server.port, 'third-credential').connect(), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal((error as { code?: string }).code, '28P01');
        assert.equal((error as { severity?: string }).severity, 'FATAL');
        assert.equal(error.message, 'password authentication failed for user "alice"');
        return true;
      });
      assert.deepEqual(server.matched, []);
    } finally {
      await server.close();
    }
  }
});

test('node-postgres signs in with a cleartext password over the same verifiers', async () => {
  const server = await startServer('cleartext');
  try {
    const c = client(server.port, 'first-credential');
    await c.connect();
    await c.query('select 2');
    await c.end();
    assert.deepEqual(server.matched, [0]);
  } finally {
    await server.close();
  }
});

test('node-postgres asking for TLS reads the refusal byte', async () => {
  const server = await startServer('scram');
  try {
    await assert.rejects(client(server.port, 'first-credential', { ssl: { rejectUnauthorized: false } }).connect(), /does not support SSL/);
  } finally {
    await server.close();
  }
});

test('postgres.js signs in with SCRAM-SHA-256 and runs a simple query', async () => {
  const server = await startServer('scram');
  const sql = postgres({ host: '127.0.0.1', port: server.port, user: 'bob', database: 'prod', password: 'first-credential', fetch_types: false, max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe('select 3').simple();
    assert.deepEqual(server.queries, ['select 3']);
    assert.deepEqual(server.matched, [0]);
  } finally {
    await sql.end({ timeout: 1 });
    await server.close();
  }
});
