// Benchmark: `writ serve`'s memory and a sign-in's latency under an unauthenticated flood (idle sockets, max-size sign-in messages).
import { readFileSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { benchPgUrl, log, pgServerVersion, sleep } from '../bench-support.ts';
import { countOf } from './ledger-counts.ts';
import { targetOfUrl, type PgTarget } from './pgbench-run.ts';
import { startWritGateway } from './writ-gateway-target.ts';

/** The gateway's defaults this flood is sized against (gateway-deps.ts). */
const MAX_PREAUTH_MESSAGE_BYTES = 8192;
const MAX_STARTING_PER_SOURCE = 32;

export interface GatewayFloodOptions {
  /** Idle sockets (connect, send nothing), spread over enough loopback addresses that only the global starting limit refuses them. */
  readonly idle: number;
  /** Sockets that sign in as far as SASL and then send all but the last byte of a message of the largest size allowed. */
  readonly big: number;
  readonly loginSamples: number;
}

export interface GatewayFloodResult {
  readonly options: GatewayFloodOptions;
  readonly rssBeforeMiB: number;
  readonly rssDuringMiB: number;
  readonly rssAfterMiB: number;
  readonly idleHeld: number;
  readonly idleRefused: number;
  readonly bigHeld: number;
  readonly loginQuietMs: readonly number[];
  readonly loginDuringMs: readonly number[];
  /** `gateway.connection.refused` entries written during the flood (anonymous refusals go into summaries). */
  readonly refusedEntries: number;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

async function open(port: number, localAddress: string): Promise<{ socket: Socket; received: Buffer[] }> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => { received.push(chunk); });
  return { socket, received };
}

/** Starts a sign-in, waits for AuthenticationSASL, then sends a maximal SASLInitialResponse short of its last byte. */
async function openBig(port: number, localAddress: string, user: string, database: string): Promise<Socket> {
  const peer = await open(port, localAddress);
  peer.socket.write(serialize.startup({ user, database }));
  for (let i = 0; i < 500 && !Buffer.concat(peer.received).includes('SCRAM-SHA-256'); i++) await sleep(10);
  const message = Buffer.alloc(1 + MAX_PREAUTH_MESSAGE_BYTES, 0x61);
  message.write('p', 0, 'latin1');
  message.writeInt32BE(MAX_PREAUTH_MESSAGE_BYTES, 1);
  peer.socket.write(message.subarray(0, message.length - 1));
  return peer.socket;
}

async function timeLogins(target: PgTarget, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const client = new pg.Client({ host: '127.0.0.1', port: target.port, user: target.user, password: target.password, database: target.database, connectionTimeoutMillis: 10_000 });
    await client.connect();
    await client.query('SELECT 1');
    times.push(performance.now() - started);
    await client.end();
  }
  return times;
}

/** Runs the flood against a fresh `writ serve` (SQLite store) in front of the bench PostgreSQL. */
export async function runGatewayFlood(options: GatewayFloodOptions): Promise<GatewayFloodResult | { skipped: string }> {
  if ((await pgServerVersion(benchPgUrl())) === undefined) return { skipped: 'PostgreSQL is not reachable' };
  const direct = targetOfUrl(benchPgUrl(), new URL(benchPgUrl()).pathname.slice(1) || 'postgres');
  const writ = await startWritGateway(direct, { store: 'sqlite', storeUrl: benchPgUrl() });
  const sockets: Socket[] = [];
  try {
    const pid = writ.pid ?? 0;
    const { port } = writ.target;
    const loginQuietMs = await timeLogins(writ.target, options.loginSamples);
    await sleep(500);
    const rssBeforeMiB = rssMiB(pid);
    const refusedBefore = countOf(await writ.ledger.read(), 'gateway.connection.refused');
    log(`gateway flood: ${options.big} max-size sign-in messages from 127.0.0.3, then ${options.idle} idle sockets from 127.0.1.x`);
    for (let i = 0; i < options.big; i++) sockets.push(await openBig(port, '127.0.0.3', writ.target.user, writ.target.database));
    const idle: Socket[] = [];
    for (let i = 0; i < options.idle; i += 100) {
      const batch = Array.from({ length: Math.min(100, options.idle - i) }, (_, j) => {
        const n = i + j;
        return open(port, `127.0.1.${1 + Math.floor(n / MAX_STARTING_PER_SOURCE)}`).then((peer) => peer.socket);
      });
      idle.push(...(await Promise.all(batch)));
    }
    sockets.push(...idle);
    await sleep(1000);
    const rssDuringMiB = rssMiB(pid);
    const loginDuringMs = await timeLogins(writ.target, options.loginSamples);
    const idleRefused = idle.filter((socket) => socket.destroyed || socket.readableEnded).length;
    const bigHeld = sockets.slice(0, options.big).filter((socket) => !socket.destroyed && !socket.readableEnded).length;
    const refusedEntries = countOf(await writ.ledger.read(), 'gateway.connection.refused') - refusedBefore;
    for (const socket of sockets) socket.destroy();
    await sleep(1500);
    return { options, rssBeforeMiB, rssDuringMiB, rssAfterMiB: rssMiB(pid), idleHeld: idle.length - idleRefused, idleRefused, bigHeld, loginQuietMs, loginDuringMs, refusedEntries };
  } finally {
    for (const socket of sockets) socket.destroy();
    await writ.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function renderGatewayFloodMarkdown(result: GatewayFloodResult, meta: { command: string; date: string; machine: string }): string {
  const { options } = result;
  const ms = (values: readonly number[]): string => `${median(values).toFixed(1)} ms (max ${Math.max(...values).toFixed(1)})`;
  return [
    '### Gateway under an unauthenticated flood',
    '',
    `\`writ serve\` (SQLite store, default limits: 512 starting connections, 32 per source, 8 KiB before authentication, 5 s startup timeout). ` +
      `${options.big} sockets each hold a ${MAX_PREAUTH_MESSAGE_BYTES}-byte SASLInitialResponse short of its last byte; then ${options.idle} idle sockets from ${Math.ceil(options.idle / MAX_STARTING_PER_SOURCE)} loopback addresses.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| RSS of writ serve before | ${result.rssBeforeMiB.toFixed(0)} MiB |`,
    `| RSS during the flood | ${result.rssDuringMiB.toFixed(0)} MiB |`,
    `| RSS after the flood closed | ${result.rssAfterMiB.toFixed(0)} MiB |`,
    `| idle sockets held / refused (53300) | ${result.idleHeld} / ${result.idleRefused} |`,
    `| max-size senders held | ${result.bigHeld} of ${options.big} |`,
    `| sign-in + SELECT 1, quiet (median of ${options.loginSamples}) | ${ms(result.loginQuietMs)} |`,
    `| sign-in + SELECT 1, during the flood | ${ms(result.loginDuringMs)} |`,
    `| gateway.connection.refused entries written for the flood | ${result.refusedEntries} (refusals go into one summary per source per minute) |`,
    '',
    `\`${meta.command}\` · ${meta.date.slice(0, 10)} · ${meta.machine}`,
  ].join('\n');
}
