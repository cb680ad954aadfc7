// The gateway's TLS certificate: the operator's files, or one generated at first start and kept in the data directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { AppError } from '../../shared/app-error.ts';

export interface GatewayTls {
  readonly context: SecureContext;
  /** SHA-256 fingerprint of the certificate, for clients that pin it. */
  readonly fingerprint: string;
  readonly source: 'operator' | 'generated' | 'kept';
}

const CERT_FILE = 'gateway-tls-cert.pem';
const KEY_FILE = 'gateway-tls-key.pem';
const VALID_DAYS = 825;

function contextOf(cert: string, key: string, source: GatewayTls['source']): GatewayTls {
  try {
    const context = createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
    return { context, fingerprint: new X509Certificate(cert).fingerprint256, source };
  } catch (error) {
    throw new AppError('config_invalid', `the gateway TLS certificate or key cannot be used: ${(error as Error).message}`, { cause: error });
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `cannot read the gateway TLS ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The operator's certificate and key when both are given; otherwise the generated pair in `dataDir`
 * (an ECDSA P-256 certificate for localhost, made once and kept).
 * @example const tls = await loadGatewayTls({ dataDir: '.writ', certFile: undefined, keyFile: undefined })
 */
export async function loadGatewayTls(options: { dataDir: string; certFile: string | undefined; keyFile: string | undefined; hostNames?: readonly string[] }): Promise<GatewayTls> {
  if (options.certFile !== undefined || options.keyFile !== undefined) {
    if (options.certFile === undefined || options.keyFile === undefined) throw new AppError('config_invalid', 'give both the gateway TLS certificate and its key, or neither');
    return contextOf(readPem(options.certFile, 'certificate'), readPem(options.keyFile, 'key'), 'operator');
  }
  const certPath = join(options.dataDir, CERT_FILE);
  const keyPath = join(options.dataDir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) return contextOf(readPem(certPath, 'certificate'), readPem(keyPath, 'key'), 'kept');
  const names = options.hostNames ?? ['localhost'];
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600, flag: 'wx' });
  writeFileSync(certPath, pems.cert, { mode: 0o644, flag: 'wx' });
  return contextOf(pems.cert, pems.private, 'generated');
}
