// The file helpers every module shares: existence, optional reads, and the one atomic write.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsError } from './errors.js';

/** True when the path exists (following links); false on any error. */
export const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** A file's text, or undefined when it (or a directory on its way) does not exist or is a directory. */
export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw fsError(e, `reading ${file}`);
  }
}

/** The temporary name atomicWrite uses: hidden, next to the target (same filesystem), unique per writer. */
const tempName = (file: string) =>
  join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

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
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
    if (opts.mtimeMs !== undefined) await utimes(tmp, opts.mtimeMs / 1000, opts.mtimeMs / 1000);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fsError(e, opts.what ?? `writing ${file}`);
  }
}
