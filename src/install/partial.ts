// An interrupted download: <file>.partial holds its bytes, <file>.partial.json where they came from (the source URL
// and its ETag/Last-Modified). A resume continues only from the same source with the same validators; anything
// else, or anything that failed verification, is discarded so one bad mirror cannot poison the next source.
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { fsError } from '../core/errors.js';
import type { Validators } from './http.js';

interface Meta extends Validators {
  source: string;
}

export class PartialDownload {
  readonly meta: string;
  constructor(readonly path: string) {
    this.meta = `${path}.json`;
  }

  /**
   * The validators of the bytes held, when they came from `source` and can be resumed; otherwise the bytes are
   * discarded and undefined is returned (start from zero).
   */
  async resumable(source: string, size: number): Promise<Validators | undefined> {
    const st = await stat(this.path).catch(() => undefined);
    const m = await readFile(this.meta, 'utf8')
      .then((t) => JSON.parse(t) as Meta)
      .catch(() => undefined);
    if (st && st.size > 0 && st.size <= size && m?.source === source && (m.etag || m.lastModified))
      return { etag: m.etag, lastModified: m.lastModified };
    await this.discard();
    return undefined;
  }

  /**
   * Records where the bytes about to be written come from, before the first of them. Synchronous: the response body
   * is already flowing, and a torn record is unreadable JSON, which only means "start from zero".
   */
  start(source: string, v: Validators | undefined): void {
    try {
      writeFileSync(this.meta, JSON.stringify({ source, ...v } satisfies Meta) + '\n');
    } catch (e) {
      throw fsError(e, `writing ${this.meta}`);
    }
  }

  /** Removes the bytes and their record. Never throws: it runs while another error is on its way out. */
  async discard(): Promise<void> {
    await Promise.all([rm(this.path, { force: true }), rm(this.meta, { force: true })]).catch(() => undefined);
  }

  /** Feeds the bytes held back through the pipeline; returns how many there were. */
  async replay(feed: (chunk: Buffer) => Promise<void> | void): Promise<number> {
    let n = 0;
    try {
      for await (const chunk of createReadStream(this.path)) {
        await feed(chunk as Buffer);
        n += (chunk as Buffer).length;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw fsError(e, `reading ${this.path}`);
    }
    return n;
  }

  /** An appending writer whose failures (ENOSPC, EIO...) surface as GoarmErrors from write() or close(). */
  open(): AppendFile {
    return new AppendFile(this.path);
  }
}

export class AppendFile {
  private readonly out;
  private failed?: unknown;
  constructor(private readonly path: string) {
    this.out = createWriteStream(path, { flags: 'a' });
    this.out.on('error', (e) => {
      this.failed ??= e;
    });
  }

  private check(): void {
    if (this.failed !== undefined) throw fsError(this.failed, `writing ${this.path}`);
  }

  write(chunk: Buffer): Promise<void> | void {
    this.check();
    if (this.out.write(chunk)) return;
    return new Promise<void>((res) => {
      const done = () => {
        this.out.off('drain', done).off('error', done).off('close', done);
        res();
      };
      this.out.on('drain', done).on('error', done).on('close', done);
    }).then(() => this.check());
  }

  /** Flushes and closes; throws the first write error, if any. */
  async close(): Promise<void> {
    if (!this.out.destroyed) this.out.end();
    await finished(this.out).catch(() => undefined);
    this.check();
  }
}
