// Secret references (`env:NAME`, `file:PATH`): validated and kept as written; resolved only by the edge's injected readers.
import { z } from 'zod';
import { AppError } from '../shared/app-error.ts';

/** A secret reference as written in a policy file, never the secret itself. */
export type SecretRef = string & { readonly __brand: 'SecretRef' };

export type ParsedSecretRef =
  | { readonly kind: 'env'; readonly name: string; readonly optional: boolean }
  | { readonly kind: 'file'; readonly path: string };

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]{0,127})(\?)?$/;
// eslint-disable-next-line no-control-regex
const FILE_REF = /^file:(\/[^\u0000-\u001f\u007f]{1,1023})$/;

/**
 * Reads a reference: `env:NAME` (must be set), `env:NAME?` (unset means empty) or `file:/absolute/path`.
 * @example parseSecretRef('env:PG_PASSWORD?') // { kind: 'env', name: 'PG_PASSWORD', optional: true }
 */
export function parseSecretRef(text: string): ParsedSecretRef | undefined {
  const env = ENV_REF.exec(text);
  if (env?.[1] !== undefined) return { kind: 'env', name: env[1], optional: env[2] === '?' };
  const file = FILE_REF.exec(text);
  if (file?.[1] !== undefined) return { kind: 'file', path: file[1] };
  return undefined;
}

/** The zod schema of a secret reference field. */
export const secretRefSchema = z
  .string({ error: 'expected a secret reference such as env:NAME or file:/run/secrets/name' })
  .max(1100, { error: 'expected a secret reference of at most 1100 characters' })
  .refine((text) => parseSecretRef(text) !== undefined, {
    error: 'expected a secret reference: env:NAME, env:NAME? (may be unset) or file:/absolute/path; secrets are never written inline',
  })
  .transform((text) => text as SecretRef);

/** Where secrets come from; the edge passes `process.env` and a file reader, tests pass plain values. */
export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Promise<string>;
}

/**
 * The secret a reference names. A missing variable or unreadable file throws AppError('config_invalid')
 * naming the reference (never a secret). A file's one trailing newline is dropped.
 * @example await resolveSecretRef('env:PG_PASSWORD?', { env: {}, readFile }) // ''
 */
export async function resolveSecretRef(ref: string, sources: SecretSources): Promise<string> {
  const parsed = parseSecretRef(ref);
  if (parsed === undefined) throw new AppError('config_invalid', `"${ref.slice(0, 64)}" is not a secret reference`);
  if (parsed.kind === 'env') {
    const value = sources.env[parsed.name];
    if (value !== undefined) return value;
    if (parsed.optional) return '';
    throw new AppError('config_invalid', `the secret reference env:${parsed.name} names an environment variable that is not set`);
  }
  let content: string;
  try {
    content = await sources.readFile(parsed.path);
  } catch (error) {
    throw new AppError('config_invalid', `cannot read the secret file ${parsed.path} named by a secret reference`, { cause: error });
  }
  return content.replace(/\r?\n$/, '');
}
