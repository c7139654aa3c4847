// The file helpers every module shares: existence, optional reads, and the one atomic write.
// Synchronous underneath (the signatures stay async): these are small files, and on the light paths each
// fs/promises call is a thread-pool round trip, and loading fs/promises itself costs a few ms of start-up.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { err, fsError } from './errors.js';

/** True when the path exists (following links); false on any error. */
export async function exists(p: string): Promise<boolean> {
  try {
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/** A file's text, or undefined when it (or a directory on its way) does not exist or is a directory. */
export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw fsError(e, `reading ${file}`);
  }
}

// Unique, not secret (the directory is the user's own): Math.random, as node:crypto costs a shim's cache miss ~5 ms.
const rand = () =>
  Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');

/** The temporary name atomicWrite uses: hidden, next to the target (same filesystem), unique per writer. */
const tempName = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}.${rand()}.tmp`);

export interface WriteOptions {
  mode?: number;
  /** Date the file (atime and mtime, in ms since the epoch) before it becomes visible. */
  mtimeMs?: number;
  /** What the error message says was being done; default `writing <file>`. */
  what?: string;
}

/**
 * Writes a file so that readers see the old content or the new, never a part: a temporary file next to it, then
 * rename(). On failure the temporary file is removed, and a failing cleanup never hides the original error.
 */
export async function atomicWrite(file: string, data: string | Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const tmp = tempName(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, data, { mode: opts.mode ?? 0o644 });
    if (opts.mtimeMs !== undefined) utimesSync(tmp, opts.mtimeMs / 1000, opts.mtimeMs / 1000);
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the error that matters is e
    }
    throw fsError(e, opts.what ?? `writing ${file}`);
  }
}

/** Project files are small text; a go.mod of a large module is tens of KiB. */
const MAX_PROJECT_FILE = 1 << 20;

/**
 * A file a project supplies (.go-version, .tool-versions, .goarm.toml, go.mod): its text, or undefined when it (or a
 * directory on its way) does not exist or is a directory. Anything else that is not a regular file of sane size is
 * refused without being read: a FIFO never hangs (checked before open, and O_NONBLOCK), a device is never opened, and
 * a "regular" file yielding more bytes than its size (/proc/self/environ says 0) is refused, content unseen.
 */
export async function readProjectFile(file: string): Promise<string | undefined> {
  const refuse = (why: string) =>
    err(
      'E_CONFIG',
      `${file} ${why}; goarm reads project files only when they are regular files up to 1 MiB`,
      'replace it with a regular file, or remove it',
    );
  const missing = (e: unknown) => ['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP'].includes((e as NodeJS.ErrnoException).code!);
  let before: Stats | undefined;
  try {
    before = statSync(file, { throwIfNoEntry: false }); // most project files are absent: no Error built for that
  } catch (e) {
    if (missing(e)) return undefined;
    throw fsError(e, `reading ${file}`);
  }
  if (!before || before.isDirectory()) return undefined;
  if (!before.isFile()) throw refuse('is not a regular file (a FIFO, socket or device)');
  if (before.size > MAX_PROJECT_FILE) throw refuse(`is ${before.size} bytes`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    if (missing(e)) return undefined;
    throw fsError(e, `reading ${file}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) throw refuse('changed while being read');
    const buf = Buffer.alloc(st.size + 1);
    const bytesRead = readSync(fd, buf, 0, buf.length, 0);
    if (bytesRead > st.size) throw refuse('holds more than its size says (a special file such as /proc/…)');
    return buf.toString('utf8', 0, bytesRead);
  } finally {
    closeSync(fd);
  }
}
