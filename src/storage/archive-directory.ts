// A log archive in a local directory: the archive ports on the file system, write-once (temp file, fsync, 0444, hard link) and never following links.
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { MAX_ARCHIVE_FILES, type ArchiveListing, type ArchiveWriter } from '../ledger/archive-layout.ts';
import { AppError } from '../shared/app-error.ts';

const TEMP_MARK = '.writ-tmp-';
const TEMP_NAME = /\.writ-tmp-[0-9]+-[0-9a-f]{12}$/;
const MAX_DEPTH = 16;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Refuses any path but a plain relative one ('a/b/c'): the core hands only canonical archive names, this is a second lock. */
function checkRelative(path: string): void {
  const parts = path.split('/');
  if (path.length === 0 || path.includes('\\') || path.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new AppError('invalid_input', `"${path.slice(0, 100)}" is not a path inside the archive`);
  }
}

function whatIs(stats: { isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isFIFO()) return 'named pipe';
  if (stats.isSocket()) return 'socket';
  return stats.isBlockDevice() || stats.isCharacterDevice() ? 'device' : 'special file';
}

async function walk(root: string, relative: string, depth: number, found: ArchiveListing[]): Promise<void> {
  if (depth > MAX_DEPTH) throw new AppError('invalid_input', `the archive nests directories deeper than ${MAX_DEPTH} at "${relative}": it is not an archive`);
  for (const dirent of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
    if (found.length >= MAX_ARCHIVE_FILES) throw new AppError('payload_too_large', `the archive holds more than ${MAX_ARCHIVE_FILES} files`);
    if (dirent.isDirectory()) await walk(root, path, depth + 1, found);
    else if (dirent.isFile()) found.push({ kind: 'file', path, bytes: (await lstat(join(root, path))).size });
    else found.push({ kind: 'other', path, what: whatIs(dirent) });
  }
}

/**
 * The archive in directory `root`. Reads never follow a symbolic link (nor a linked parent directory) and never
 * read more than asked; files are created read-only and can never replace one that exists.
 * @example const archive = await openArchiveDirectory('/srv/writ-archive', { create: true })
 */
export async function openArchiveDirectory(root: string, options: { create: boolean }): Promise<ArchiveWriter> {
  if (options.create) await mkdir(root, { recursive: true, mode: 0o755 });
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    if (!(await lstat(realRoot)).isDirectory()) throw new AppError('invalid_input', `"${root}" is not a directory`);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw new AppError('not_found', `there is no archive directory "${root}"`);
    throw error;
  }
  const touched = new Set<string>();

  async function read(path: string, maxBytes: number): Promise<Uint8Array> {
    checkRelative(path);
    const full = join(realRoot, ...path.split('/'));
    const parent = dirname(full);
    if ((await realpath(parent).catch(() => parent)) !== parent) throw new AppError('invalid_input', `the archive reaches "${path}" through a symbolic link: refused`);
    let handle;
    try {
      // O_NONBLOCK: a named pipe put in a file's place must not hang the reader (regular files ignore the flag).
      handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT') throw new AppError('not_found', `the archive has no file ${path}`);
      if (code === 'ELOOP') throw new AppError('invalid_input', `the archive's ${path} is a symbolic link: refused`);
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new AppError('invalid_input', `the archive's ${path} is not a regular file`);
      if (stats.size > maxBytes) throw new AppError('payload_too_large', `the archive's ${path} has ${stats.size} bytes, more than the ${maxBytes} such a file can have`);
      const bytes = Buffer.alloc(stats.size);
      const { bytesRead } = await handle.read(bytes, 0, stats.size, 0);
      return bytes.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async function create(path: string, bytes: Uint8Array): Promise<void> {
    checkRelative(path);
    const full = join(realRoot, ...path.split('/'));
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    const temp = `${full}${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`;
    // Created read-only: the descriptor may still write it, nobody else ever can.
    const handle = await open(temp, 'wx', 0o444);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, full); // unlike rename, never replaces a file that is there
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') throw new AppError('conflict', `the archive already has ${path}: another run is writing this archive?`);
      throw error;
    } finally {
      await unlink(temp);
    }
    for (let dir = dirname(full); dir.startsWith(realRoot); dir = dirname(dir)) {
      touched.add(dir);
      if (dir === realRoot) break;
    }
  }

  async function sync(): Promise<void> {
    for (const dir of [...touched].sort((a, b) => b.length - a.length)) {
      const handle = await open(dir, constants.O_RDONLY);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    touched.clear();
  }

  async function list(): Promise<ArchiveListing[]> {
    const found: ArchiveListing[] = [];
    await walk(realRoot, '', 0, found);
    return found;
  }

  async function removeLeftovers(): Promise<string[]> {
    const leftovers = (await list()).filter((item) => item.kind === 'file' && TEMP_NAME.test(item.path)).map((item) => item.path);
    for (const path of leftovers) await unlink(join(realRoot, ...path.split('/')));
    return leftovers;
  }

  return { list, read, create, sync, removeLeftovers };
}
