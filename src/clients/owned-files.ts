import { randomInt } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Files we write in places others can write too (state-dir, nginx's configuration directory,
 * the workspace): a temp file is created exclusively (O_EXCL: never one planted beforehand),
 * and no write goes through a symlink (O_NOFOLLOW), so a link planted at a path we write can
 * never make us overwrite or append to the file it points at. One module, used everywhere.
 */

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC, O_WRONLY } = constants;

/** Opens `file` for writing without following a symlink there; says so plainly when one is. */
function openOwned(file: string, flags: number, mode = 0o644): number {
  try {
    return openSync(file, flags | O_NOFOLLOW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new Error(`${file} is a symbolic link: refusing to write through it (nothing was written)`);
    throw error;
  }
}

function writeWhole(fd: number, data: string | Buffer, durable: boolean): void {
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A temp file's name beside `target`: `<target>.<pid>.<digits>.tmp` (a dead writer's is recognised by its pid). */
export function tempNameFor(target: string): string {
  return `${target}.${process.pid}.${Date.now()}${randomInt(1_000_000)}.tmp`;
}

/**
 * Replaces `target` with `data` at once: written to a temp file created exclusively beside it,
 * then renamed over it (a rename replaces a link, never follows it). `durable`: fsynced, and the
 * directory too, so a power cut leaves the old file or the new one.
 */
export function writeFileAtomically(
  target: string,
  data: string | Buffer,
  options: { durable?: boolean } = {},
): void {
  const temp = tempNameFor(target);
  writeWhole(openOwned(temp, O_WRONLY | O_CREAT | O_EXCL), data, options.durable ?? false);
  renameSync(temp, target);
  if (!options.durable) return;
  const dir = openSync(path.dirname(target), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Appends `text` in one write (O_APPEND: concurrent writers' lines never interleave), never through a link. */
export function appendOwned(file: string, text: string): void {
  writeWhole(openOwned(file, O_WRONLY | O_APPEND | O_CREAT), text, false);
}

/** Writes `file` (created or truncated) in place, never through a link. */
export function writeOwned(file: string, text: string): void {
  writeWhole(openOwned(file, O_WRONLY | O_CREAT | O_TRUNC), text, false);
}

/**
 * Whether `file` is inside one of `dirs`, judged on resolved paths: the directory it would be
 * written in, with every link in it followed, must lie under a directory's own resolved path.
 */
export function isInside(file: string, dirs: readonly string[]): boolean {
  const parent = resolvedPath(path.dirname(file));
  return dirs.some((dir) => {
    const root = resolvedPath(dir);
    return parent === root || parent.startsWith(`${root}${path.sep}`);
  });
}

/** `file` with every link in it followed; what does not exist yet, resolved as far as it does. */
export function resolvedPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    // Not there yet: resolve what exists of it.
    const parent = path.dirname(dir);
    return parent === dir ? dir : path.join(resolvedPath(parent), path.basename(dir));
  }
}

/** The most a file the user names (probes, a playbook, a log) may hold: read whole, so bounded. */
export const USER_FILE_LIMIT = 4 * 1024 * 1024;

/**
 * Reads a file the user named, only if it is a regular file of at most `limit` bytes: a FIFO
 * would block forever (opened here without blocking, then refused), a device like /dev/zero
 * would be read without end.
 */
export function readRegularFile(file: string, limit = USER_FILE_LIMIT): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('it is not a regular file (a pipe, a device or a directory)');
    if (stat.size > limit) throw new Error(`it holds ${stat.size} bytes, more than the ${limit} read`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
