// The install step's dashboard build (npm ci runs "prepare"): vite build web, or a plain note when Vite is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const vite = join('node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  // A production install (--omit=dev) has no Vite: writ serve then says at / how to build the dashboard.
  console.log('prepare: Vite is not installed, so the dashboard (web/dist) was not built; run npm run build:web after a full install.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
