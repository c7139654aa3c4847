// Safe streaming extraction of a .tar.gz. zlib's async gunzip decompresses; node-tar's Parser reads the
// members; we write them ourselves: directories, links and files over 1 MiB with plain synchronous calls, the many
// small files through a few worker threads (writers.ts), which create them in parallel (copying a small file costs
// less than creating it; a large one is written as it streams, never held whole). node-tar's unpackers re-check the
// filesystem for every member (7 stats and 5 mkdirs per file here, plus a cache scan): right for extracting
// over an existing tree, wasted on a fresh private staging directory, and 2x GNU tar. Our writer only ever
// creates: files with O_EXCL|O_NOFOLLOW, links last, after every member is known and checked, so no write
// can go through a link. Every member is checked before anything of it is written; an archive that needs
// sanitizing is not a Go release, so we refuse the whole thing instead.
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  constants as FS,
  fchmodSync,
  futimesSync,
  linkSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { createGunzip, type Gunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { err, fsError, GoarmError } from '../core/errors.js';
import { FileWriters } from './writers.js';

/** What was written, per member path (relative, "/"-separated): hashed on the way to disk, for install manifests. */
interface ExtractedFile {
  sha256?: string;
  size?: number;
  mode: number;
  link?: string;
}

export interface Extractor {
  /** Every non-directory member written, once end() has resolved. */
  readonly files: Map<string, ExtractedFile>;
  /** Compressed .tar.gz bytes, in order. Ignored once the extraction has failed. */
  write(chunk: Buffer): void;
  /** Resolves when everything is on disk; rejects with GoarmError on any problem. */
  end(): Promise<void>;
  /** Stops; resolves once nothing more can be written, so the caller can remove dest. */
  abort(): Promise<void>;
  /** Resolves once the decompressor wants more input: await it between writes to bound memory. */
  drained(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 8 * 1024 ** 3;
interface Link {
  path: string;
  target: string;
}
const MAX_LINK_HOPS = 40;
const WRITABLE = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const CREATE = FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW;
const BIG = 1024 * 1024; // larger files are written on the main thread as they stream
const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS']);

const unsafe = (msg: string) =>
  err(
    'E_UNSAFE_ARCHIVE',
    `refusing unsafe archive: ${msg}`,
    'this is not a well-formed Go release; delete the download and check the mirror it came from',
  );
const bad = (msg: string, cause?: unknown) =>
  err('E_BAD_ARCHIVE', `damaged archive: ${msg}`, 'the download is corrupt; delete it and install again', cause);

// Every member lives under go/, the tree that is installed: links are resolved against it, never the staging dir.
const ROOT = 'go';
// Names are looked up by their exact bytes, as Linux resolves them. Two names that differ only in case or Unicode
// normalization are refused outright: a macOS file system (APFS, HFS+) would make them one file.
const fold = (p: string) => (/^[\x20-\x7e]*$/.test(p) ? p : p.normalize('NFD')).toLowerCase();
const isAbs = (p: string) => p.startsWith('/') || path.win32.isAbsolute(p) || path.win32.parse(p).root !== '';
const parts = (p: string) => p.split(/[\\/]/).filter((c) => c !== '' && c !== '.');

/**
 * Follows `rel` from directory `from` through the archive's symlinks (lexically, no disk access), as the kernel
 * would once the tree is installed. Returns false when it leaves go/, is absolute, or loops.
 */
function staysInside(links: Map<string, Link>, from: string[], rel: string): boolean {
  if (isAbs(rel)) return false;
  const todo = rel.split('/').reverse();
  const cur = [...from];
  let hops = 0;
  while (todo.length) {
    const c = todo.pop()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (cur.length <= 1) return false; // above go/
      cur.pop();
      continue;
    }
    cur.push(c);
    const target = links.get(cur.join('/'))?.target;
    if (target === undefined) continue;
    if (++hops > MAX_LINK_HOPS || isAbs(target)) return false;
    cur.pop();
    todo.push(...target.split('/').reverse());
  }
  return cur.length >= 1 && cur[0] === ROOT;
}

class StreamingExtractor implements Extractor {
  private readonly gunzip: Gunzip;
  private readonly parser: Parser;
  private readonly dirs = new Set<string>();
  private readonly writers = new FileWriters();
  private openFd?: number;
  private readonly writing: Promise<void>[] = [];
  readonly files = new Map<string, ExtractedFile>();
  private readonly pendingLinks: { type: 'SymbolicLink' | 'Link'; abs: string; target: string }[] = [];
  private readonly links = new Map<string, Link>(); // symlinks so far, by exact "/"-joined path
  private readonly names = new Set<string>(); // every member path and prefix seen, exact
  private readonly folded = new Map<string, string>(); // fold(name) -> the exact name that claimed it
  private failure?: GoarmError;
  private settled = false;
  private ended = false;
  private bytes = 0;
  private declared = 0;
  private resolve!: () => void;
  private reject!: (e: GoarmError) => void;
  private readonly done = new Promise<void>((res, rej) => {
    this.resolve = res;
    this.reject = rej;
  });

  constructor(
    private readonly dest: string,
    private readonly maxBytes: number,
  ) {
    this.done.catch(() => {}); // observed through end(); never an unhandled rejection
    try {
      mkdirSync(dest, { recursive: true });
    } catch (e) {
      throw fsError(e, `creating ${dest}`);
    }
    this.dirs.add(dest);
    this.parser = new Parser({ strict: true });
    this.parser.on('entry', (entry: ReadEntry) => this.onEntry(entry));
    this.parser.on('error', (e: Error) => this.fail(this.mapTarError(e)));
    this.parser.on('ignoredEntry', (entry: ReadEntry) => {
      if (!this.failure) this.fail(bad(`unsupported member ${JSON.stringify(entry.path)} (type ${entry.type})`));
    });
    this.parser.on('end', () => this.finish());
    // 256 KiB output chunks: fewer, larger writes into the synchronous unpacker.
    this.gunzip = createGunzip({ chunkSize: 256 * 1024 });
    this.gunzip.on('data', (chunk: Buffer) => this.feed(chunk));
    this.gunzip.on('error', (e) => this.fail(bad(`gzip: ${e.message}`, e)));
    this.gunzip.on('end', () => {
      if (!this.failure) this.parser.end();
    });
  }

  write(chunk: Buffer): void {
    if (this.failure) return;
    if (this.ended) throw new Error('Extractor.write after end()');
    this.gunzip.write(chunk);
  }

  end(): Promise<void> {
    if (!this.ended && !this.failure) {
      this.ended = true;
      this.gunzip.end();
    }
    return this.done;
  }

  abort(): Promise<void> {
    this.fail(
      err('E_ABORTED', `extraction into ${this.dest} was aborted`, 'nothing was installed; run the command again'),
    );
    return this.writers.close();
  }

  /** Lets extractFile stop reading once the archive is refused. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  drained(): Promise<void> {
    if (this.failure) return Promise.resolve();
    if (!this.gunzip.writableNeedDrain) return this.writers.room();
    return new Promise((res) => {
      const go = () => {
        this.gunzip.off('drain', go);
        this.gunzip.off('close', go);
        res();
      };
      this.gunzip.on('drain', go).on('close', go);
    });
  }

  private feed(chunk: Buffer) {
    if (this.failure) return;
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return this.fail(unsafe(`it unpacks to more than ${this.maxBytes} bytes`));
    try {
      this.parser.write(chunk);
    } catch (e) {
      this.fail(e instanceof GoarmError ? e : this.mapTarError(e as Error));
    }
  }

  /** Every member: checked before anything of it is written, then created (links are deferred to the end). */
  private onEntry(entry: ReadEntry): void {
    if (this.failure) return void entry.resume();
    const problem = this.problem(entry);
    if (problem) {
      entry.resume();
      this.fail(unsafe(problem));
      return;
    }
    // Go tarballs need 0755/0644: drop setuid/setgid/sticky and group/other write.
    const mode = (entry.mode ?? 0o644) & 0o755;
    const abs = path.join(this.dest, ...parts(entry.path));
    try {
      if (entry.type === 'Directory') {
        this.mkdirp(abs);
        return void entry.resume();
      }
      if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        const target =
          entry.type === 'Link' ? path.join(this.dest, ...parts(entry.linkpath ?? '')) : (entry.linkpath ?? '');
        this.pendingLinks.push({ type: entry.type, abs, target });
        if (entry.type === 'SymbolicLink') this.files.set(parts(entry.path).join('/'), { mode: 0o777, link: target });
        return void entry.resume();
      }
      this.mkdirp(path.dirname(abs));
      if (entry.size > BIG) this.writeHere(entry, abs, mode);
      else this.writeByWorker(entry, abs, mode);
    } catch (e) {
      entry.resume();
      this.fail(this.mapWriteError(e, entry.path));
    }
  }

  /** A large file, written as it streams. Modes are set exactly (whatever the umask), as the manifest records them. */
  private writeHere(entry: ReadEntry, abs: string, mode: number) {
    const fd = (this.openFd = openSync(abs, CREATE, mode));
    fchmodSync(fd, mode);
    const mtime = entry.mtime ?? new Date();
    const hash = createHash('sha256');
    let size = 0;
    entry.on('data', (chunk: Buffer) => {
      if (!this.failure)
        this.guard(() => {
          writeSync(fd, chunk);
          hash.update(chunk);
          size += chunk.length;
        });
    });
    entry.on('end', () =>
      this.guard(() => {
        this.openFd = undefined;
        try {
          futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
        this.files.set(parts(entry.path).join('/'), { mode, size, sha256: hash.digest('hex') });
      }),
    );
  }

  /** A small file: hashed here, then copied into a buffer of its own that moves to a writer thread. */
  private writeByWorker(entry: ReadEntry, abs: string, mode: number) {
    const mtimeMs = (entry.mtime ?? new Date()).getTime();
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    entry.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    });
    entry.on('end', () => {
      if (this.failure) return;
      this.files.set(parts(entry.path).join('/'), { mode, size, sha256: hash.digest('hex') });
      const data = Buffer.allocUnsafeSlow(size); // never from the shared pool: its memory moves to the writer
      let at = 0;
      for (const c of chunks.splice(0)) at += c.copy(data, at);
      const written = this.writers.write({ path: abs, flags: CREATE, mode, mtimeMs, data });
      this.writing.push(written.catch((e) => this.fail(this.mapWriteError(e, entry.path))));
    });
  }

  private guard(fn: () => void) {
    try {
      fn();
    } catch (e) {
      this.fail(this.mapWriteError(e, ''));
    }
  }

  private mapWriteError(e: unknown, member: string): GoarmError {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      return unsafe(`member ${JSON.stringify(member)} appears twice or collides with another member`);
    return fsError(e, `extracting into ${this.dest}`);
  }

  /** mkdir -p, remembering what exists so each directory costs one syscall in all. */
  private mkdirp(dir: string) {
    if (this.dirs.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (let d = dir; d.length > this.dest.length && !this.dirs.has(d); d = path.dirname(d)) this.dirs.add(d);
  }

  private problem(entry: ReadEntry): string | undefined {
    const name = JSON.stringify(entry.path);
    const type = entry.type;
    if (!WRITABLE.has(type)) return `member ${name} is a ${type}, not a file, directory or link`;
    if (isAbs(entry.path)) return `member ${name} has an absolute path`;
    if (entry.path.split(/[\\/]/).includes('..')) return `member ${name} contains '..'`;
    const p = parts(entry.path);
    if (p[0] !== ROOT) return `member ${name} is outside the top-level ${ROOT}/ directory`;
    if (p.length === 1 && type !== 'Directory') return `member ${name} must be a directory, not a ${type}`;
    const clash = this.collision(p);
    if (clash) return clash;
    const through = this.throughLink(p);
    if (through) return `member ${name} goes through the symbolic link ${JSON.stringify(through)}`;
    this.declared += entry.size;
    if (this.declared > this.maxBytes) return `it declares more than ${this.maxBytes} bytes of content`;

    const link = entry.linkpath ?? '';
    if (type === 'SymbolicLink') {
      this.links.set(p.join('/'), { path: entry.path, target: link });
      if (!staysInside(this.links, p.slice(0, -1), link))
        return `symbolic link ${name} -> ${JSON.stringify(link)} points outside ${ROOT}/`;
    } else if (type === 'Link') {
      // Hard link targets are named from the archive root.
      if (isAbs(link) || link.split(/[\\/]/).includes('..') || parts(link)[0] !== ROOT)
        return `hard link ${name} -> ${JSON.stringify(link)} points outside ${ROOT}/`;
      const via = this.throughLink(parts(link));
      if (via)
        return `hard link ${name} -> ${JSON.stringify(link)} goes through the symbolic link ${JSON.stringify(via)}`;
    }
    return undefined;
  }

  /** A name (or a directory on its way) that differs from an earlier one only in case or Unicode normalization. */
  private collision(p: string[]): string | undefined {
    let prefix = '';
    for (const c of p) {
      prefix = prefix ? `${prefix}/${c}` : c;
      if (this.names.has(prefix)) continue;
      this.names.add(prefix);
      const f = fold(prefix);
      const other = this.folded.get(f);
      if (other !== undefined)
        return (
          `members ${JSON.stringify(other)} and ${JSON.stringify(prefix)} differ only in case or Unicode ` +
          'normalization (one file on macOS)'
        );
      this.folded.set(f, prefix);
    }
    return undefined;
  }

  /** The symlink (from earlier members) that a proper prefix of `p` names, if any. */
  private throughLink(p: string[]): string | undefined {
    if (!this.links.size) return undefined;
    for (let i = 1; i < p.length; i++) {
      const l = this.links.get(p.slice(0, i).join('/'));
      if (l) return l.path;
    }
    return undefined;
  }

  /** Once every file is on disk (hard links need their targets): the links, then done. */
  private finish() {
    void Promise.all(this.writing).then(() => this.link());
  }

  private link() {
    if (this.failure || this.settled) return;
    // A later link can change where an earlier one leads: check them all against the final set.
    for (const l of this.links.values()) {
      if (!staysInside(this.links, parts(l.path).slice(0, -1), l.target))
        return this.fail(
          unsafe(`symbolic link ${JSON.stringify(l.path)} -> ${JSON.stringify(l.target)} points outside ${ROOT}/`),
        );
    }
    try {
      // Hard links first (their targets are files, all written by now), then symbolic links.
      const rel = (p: string) => path.relative(this.dest, p).split(path.sep).join('/');
      for (const l of this.pendingLinks.filter((x) => x.type === 'Link')) {
        const same = this.files.get(rel(l.target));
        // Only a regular file may be hard-linked: a link to a directory or a symlink is not a Go release.
        if (same?.sha256 === undefined && (same || this.dirs.has(l.target)))
          return this.fail(
            unsafe(
              `hard link ${JSON.stringify(rel(l.abs))} -> ${JSON.stringify(rel(l.target))} ` +
                `is not to a regular file`,
            ),
          );
        this.mkdirp(path.dirname(l.abs));
        linkSync(l.target, l.abs);
        if (same) this.files.set(rel(l.abs), same);
      }
      for (const l of this.pendingLinks.filter((x) => x.type === 'SymbolicLink')) {
        this.mkdirp(path.dirname(l.abs));
        symlinkSync(l.target, l.abs);
      }
    } catch (e) {
      return this.fail(
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? bad(`a hard link points at a member that does not exist`, e)
          : this.mapWriteError(e, ''),
      );
    }
    this.settled = true;
    void this.writers.close().finally(this.resolve);
  }

  private mapTarError(e: Error & { code?: string; tarCode?: string; entry?: ReadEntry }): GoarmError {
    const member = e.entry?.path ? ` (member ${JSON.stringify(e.entry.path)})` : '';
    if (e.name === 'SymlinkError') return unsafe(`${e.message}${member}`);
    if (e.code && FS_CODES.has(e.code)) return fsError(e, `extracting into ${this.dest}`);
    return bad(`${e.message}${member}`, e);
  }

  private fail(e: GoarmError) {
    if (this.failure || this.settled) return;
    this.failure = e;
    if (this.openFd !== undefined) {
      try {
        closeSync(this.openFd);
      } catch {
        /* already closed */
      }
      this.openFd = undefined;
    }
    this.gunzip.destroy();
    // node-tar ignores further input; its TAR_ABORT error lands in fail() and is dropped. A copy,
    // because node-tar decorates the error it is given.
    this.parser.abort(new Error(e.message));
    // Rejected once the writers have stopped: the caller removes dest, and no file may appear in it afterwards.
    void this.writers.close().finally(() => this.reject(e));
  }
}

export function createExtractor(dest: string, opts: { maxBytes?: number } = {}): Extractor {
  return new StreamingExtractor(dest, opts.maxBytes ?? DEFAULT_MAX_BYTES);
}

/** Streams a .tar.gz file through createExtractor, honouring the decompressor's backpressure. */
export async function extractFile(tgz: string, dest: string): Promise<void> {
  const ex = new StreamingExtractor(dest, DEFAULT_MAX_BYTES);
  try {
    for await (const chunk of createReadStream(tgz, { highWaterMark: 1024 * 1024 })) {
      ex.write(chunk as Buffer);
      if (ex.failed) break;
      await ex.drained();
    }
  } catch (e) {
    await ex.abort();
    throw fsError(e, `reading ${tgz}`);
  }
  return ex.end();
}
