// The files of an archive, written by a few worker threads. Creating a file costs ~0.3 ms of kernel time here
// (inode allocation), 12,000 times for a Go release: done one after another on the main thread, in series with
// parsing and hashing, that was most of an install. The main thread still checks and hashes every member and makes
// the directories before it hands a file over; a worker only opens it (O_EXCL|O_NOFOLLOW: create, never follow),
// writes, sets its mode and mtime, and closes it. The worker's code is inline (eval), so it runs the same from the
// bundle and from src/ under the tests.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', ({ id, path, flags, mode, mtimeMs, data }) => {
  let fd;
  try {
    fd = fs.openSync(path, flags, mode);
    fs.fchmodSync(fd, mode);
    for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off);
    fs.futimesSync(fd, mtimeMs / 1000, mtimeMs / 1000);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    parentPort.postMessage({ id });
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch {}
    parentPort.postMessage({ id, error: { code: e.code, message: e.message } });
  }
});
`;

const ROOM = 64 * 1024 * 1024;

export interface FileJob {
  path: string;
  flags: number;
  mode: number;
  mtimeMs: number;
  /** The whole content, in a buffer of its own: it is moved to the worker, not copied. */
  data: Uint8Array;
}

export class FileWriters {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void; bytes: number }>();
  private ids = 0;
  private turn = 0;
  private inFlight = 0;
  private roomWaiters: (() => void)[] = [];

  constructor(private readonly count = Math.min(4, Math.max(2, availableParallelism()))) {}

  /** Resolves once the file is on disk; rejects with an Error carrying the errno `code` of what failed. */
  write(job: FileJob): Promise<void> {
    if (this.workers.length < this.count) this.workers.push(this.spawn());
    const id = ++this.ids;
    this.inFlight += job.data.length;
    const done = new Promise<void>((resolve, reject) =>
      this.waiting.set(id, { resolve, reject, bytes: job.data.length }),
    );
    this.workers[this.turn++ % this.workers.length].postMessage({ id, ...job }, [job.data.buffer as ArrayBuffer]);
    return done;
  }

  /** Resolves when less than ROOM is waiting to be written: the caller's backpressure. */
  room(): Promise<void> {
    if (this.inFlight < ROOM) return Promise.resolve();
    return new Promise((res) => this.roomWaiters.push(res));
  }

  /** Stops the workers; a write under way finishes or fails first, so nothing appears after this resolves. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
    for (const [, w] of this.waiting) w.reject(Object.assign(new Error('the file writers stopped'), { code: 'EINTR' }));
    this.waiting.clear();
  }

  private spawn(): Worker {
    const w = new Worker(WORKER, { eval: true }); // kept referenced: a pending write must keep the process alive
    w.on('message', ({ id, error }: { id: number; error?: { code?: string; message: string } }) => {
      const job = this.waiting.get(id);
      if (!job) return;
      this.waiting.delete(id);
      this.inFlight -= job.bytes;
      if (this.inFlight < ROOM) for (const r of this.roomWaiters.splice(0)) r();
      if (error) job.reject(Object.assign(new Error(error.message), { code: error.code }));
      else job.resolve();
    });
    w.on('error', (e) => {
      for (const [, job] of this.waiting) job.reject(e);
      this.waiting.clear();
    });
    return w;
  }
}
