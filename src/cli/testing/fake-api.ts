// Test helper: a fake Writ HTTP API on a free local port that records each request and answers from a route table.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply;

export interface FakeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answers `METHOD /path` (path without the query) with `reply`, or what `reply` returns. */
  on(route: string, reply: FakeReply | FakeHandler): void;
  close(): Promise<void>;
}

/** A problem+json body as the server sends it. */
export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): FakeReply {
  return { status, body: { ...extra, type: `urn:writ:problem:${code}`, title: code, status, detail } };
}

async function bodyOf(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/**
 * Starts the fake on 127.0.0.1 with a port the system picks.
 * @example const api = await startFakeApi(); api.on('GET /api/v1/auth/me', { body: me }); ... await api.close();
 */
export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, FakeReply | FakeHandler>();
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, authorization: request.headers.authorization, body: await bodyOf(request) };
      requests.push(recorded);
      const route = routes.get(`${recorded.method} ${recorded.path}`);
      const reply = route === undefined ? problem(404, 'not_found', `no such resource: ${recorded.method} ${recorded.path}`) : typeof route === 'function' ? route(recorded) : route;
      const status = reply.status ?? 200;
      if (reply.body === undefined) {
        response.writeHead(status).end();
      } else {
        response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(reply.body));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, reply) => {
      routes.set(route, reply);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
