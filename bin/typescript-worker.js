// Entry point of Writ's worker threads: registers tsx in the worker (Node 20 applies no loader to a worker's first module), then runs the *.worker.ts module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
