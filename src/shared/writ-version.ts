// The product name and version from package.json, read once, for files Writ writes (bundle manifests, archives).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * "writ <version>".
 * @example writVersion() // 'writ 0.1.0'
 */
export function writVersion(): string {
  if (cached === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = `writ ${typeof manifest.version === 'string' ? manifest.version : 'unknown'}`;
  }
  return cached;
}
