// The C2SP tlog-witness HTTP endpoint POST /add-checkpoint: the pure decision, then a compare-and-swap in the witness store.
// @see https://c2sp.org/tlog-witness
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cosigner } from '../ledger/cosignature.ts';
import { createVerifier } from '../ledger/signed-note.ts';
import type { NoteVerifier } from '../ledger/signed-note.ts';
import { decideAddCheckpoint, parseAddCheckpointRequest } from '../ledger/witness-state.ts';
import type { WitnessStore } from './witness-store.ts';

export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

export interface WitnessServerOptions {
  store: WitnessStore;
  cosigner: Cosigner;
  /** Verifier keys of the known logs; a log's origin is its key name. */
  logVerifierKeys: string[];
  nowMs?: () => number;
  onError?: (error: unknown) => void;
}

export interface RunningWitness {
  url: string;
  close(): Promise<void>;
}

type Reply = { status: number; contentType: string; body: string };

function text(status: number, message: string): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}

function sizeConflict(size: number): Reply {
  return { status: 409, contentType: 'text/x.tlog.size', body: `${String(size)}\n` };
}

function verifiersByOrigin(keys: string[]): Map<string, NoteVerifier[]> {
  const map = new Map<string, NoteVerifier[]>();
  for (const key of keys) {
    const verifier = createVerifier(key);
    map.set(verifier.name, [...(map.get(verifier.name) ?? []), verifier]);
  }
  return map;
}

/** Reads the body, or undefined once it passes the limit. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_ADD_CHECKPOINT_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function addCheckpoint(body: string, options: WitnessServerOptions, verifiers: Map<string, NoteVerifier[]>): Reply {
  const parsed = parseAddCheckpointRequest(body);
  if (parsed.kind === 'refused') return text(parsed.status, parsed.message);
  const origin = parsed.request.checkpoint.origin;
  const nowMs = (options.nowMs ?? Date.now)();
  const state = verifiers.has(origin) ? options.store.load(origin) : undefined;
  const decision = decideAddCheckpoint(state, parsed.request, {
    logVerifiers: (o) => verifiers.get(o),
    cosigner: options.cosigner,
    nowSeconds: Math.floor(nowMs / 1000),
  });
  if (decision.kind === 'refused') {
    if (decision.evidence !== undefined) {
      const kind = decision.status === 409 ? 'fork' : 'bad-proof';
      options.store.recordEvidence({ origin, kind, storedNote: decision.evidence.stored, presentedNote: decision.evidence.presented, atMs: nowMs });
    }
    if (decision.status === 409) return sizeConflict(decision.latestSize ?? state?.size ?? 0);
    return text(decision.status, decision.message);
  }
  const swap = options.store.compareAndSwap(origin, state?.size, decision.newState);
  if (swap.kind === 'lost') return sizeConflict(swap.storedSize);
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: decision.cosignature };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: WitnessServerOptions, verifiers: Map<string, NoteVerifier[]>): Promise<void> {
  let reply: Reply;
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/add-checkpoint') reply = text(404, `no such endpoint "${(path ?? '').slice(0, 100)}"`);
  else if (request.method !== 'POST') reply = text(405, 'add-checkpoint takes POST');
  else if (Number(request.headers['content-length'] ?? 0) > MAX_ADD_CHECKPOINT_BYTES) reply = text(413, `the body is over ${String(MAX_ADD_CHECKPOINT_BYTES)} bytes`);
  else {
    const body = await readBody(request);
    reply = body === undefined ? text(413, `the body is over ${String(MAX_ADD_CHECKPOINT_BYTES)} bytes`) : addCheckpoint(body, options, verifiers);
  }
  if (reply.status === 413 || reply.status === 405) response.setHeader('Connection', 'close');
  response.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body) });
  response.end(reply.body);
}

/**
 * Creates the witness HTTP server (not listening yet).
 * @example createWitnessServer({ store, cosigner, logVerifierKeys: [logVkey] }).listen(7380)
 */
export function createWitnessServer(options: WitnessServerOptions): Server {
  const verifiers = verifiersByOrigin(options.logVerifierKeys);
  return createServer((request, response) => {
    handle(request, response, options, verifiers).catch((error: unknown) => {
      (options.onError ?? ((e: unknown) => { console.error(e); }))(error);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      response.end('internal error\n');
    });
  });
}

/**
 * Starts the witness on host:port (port 0: any free port) and returns its base URL.
 * @example const witness = await startWitnessServer(options, { host: '127.0.0.1', port: 7380 }); await witness.close()
 */
export async function startWitnessServer(options: WitnessServerOptions, listen: { host: string; port: number }): Promise<RunningWitness> {
  const server = createWitnessServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => { resolve(); });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${String(address.port)}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => { if (error === undefined) resolve(); else reject(error); });
    }),
  };
}
