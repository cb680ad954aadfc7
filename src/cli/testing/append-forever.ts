// Test child: appends events through openApp until killed, printing each event id only after its record promise resolved.
import { openApp } from '../../app.ts';
import { loadConfig } from '../../config/load-config.ts';
import { eventObject } from './events.ts';

const WORKERS = 16;
const tag = process.argv[2] ?? 'forever';

// The store comes from the WRIT_* environment (WRIT_DATA or WRIT_PG_URL), like the CLI.
const app = await openApp(loadConfig({}, process.env, undefined));
app.startSequencer();
let next = 0;

async function worker(): Promise<void> {
  for (;;) {
    const n = next++;
    const outcome = await app.recorder.record(eventObject(tag, n));
    if (outcome.kind !== 'appended') {
      process.stderr.write(`append ${n} refused: ${outcome.error.code}: ${outcome.error.message}\n`);
      process.exit(70);
    }
    // Synchronous on a pipe on Linux: once written, the parent gets the line even if this process is killed next.
    process.stdout.write(`${outcome.id}\n`);
  }
}

await Promise.all(Array.from({ length: WORKERS }, worker));
