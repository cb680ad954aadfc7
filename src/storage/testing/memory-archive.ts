// Test helper: the archive ports over a Map (write-once like the directory), so tests can archive, tamper and verify without a disk.
import type { ArchiveListing, ArchiveWriter } from '../../ledger/archive-layout.ts';
import { AppError } from '../../shared/app-error.ts';

export interface MemoryArchive extends ArchiveWriter {
  /** The files, by path: tests change them behind the writer's back. */
  readonly files: Map<string, Uint8Array>;
  /** Paths listed as something other than a regular file (e.g. a symbolic link). */
  readonly others: Map<string, string>;
}

/** An empty archive in memory. */
export function createMemoryArchive(): MemoryArchive {
  const files = new Map<string, Uint8Array>();
  const others = new Map<string, string>();
  return {
    files,
    others,
    list: () =>
      Promise.resolve<ArchiveListing[]>([
        ...[...files].map(([path, bytes]) => ({ kind: 'file' as const, path, bytes: bytes.length })),
        ...[...others].map(([path, what]) => ({ kind: 'other' as const, path, what })),
      ]),
    read: (path, maxBytes) => {
      const bytes = files.get(path);
      if (bytes === undefined) return Promise.reject(new AppError('not_found', `the archive has no file ${path}`));
      if (bytes.length > maxBytes) return Promise.reject(new AppError('payload_too_large', `the archive's ${path} has ${bytes.length} bytes, more than ${maxBytes}`));
      return Promise.resolve(Uint8Array.from(bytes));
    },
    create: (path, bytes) => {
      if (files.has(path)) return Promise.reject(new AppError('conflict', `the archive already has ${path}`));
      files.set(path, Uint8Array.from(bytes));
      return Promise.resolve();
    },
    sync: () => Promise.resolve(),
    removeLeftovers: () => Promise.resolve([]),
  };
}
