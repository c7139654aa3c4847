// Cross-process locks as directories (mkdir is atomic on every filesystem we support). The owner's pid and the
// start time of that process are recorded inside, so a lock left by a killed process (kill -9) is taken over
// instead of blocking, even when its pid now belongs to another process (pid reuse; pid 1 in every container).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { err, fsError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When process `pid` started, as an opaque string ("" when unknown): field 22 of /proc/<pid>/stat on Linux (clock
 * ticks since boot), `ps -o lstart=` elsewhere (macOS has no /proc).
 */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    if (process.platform === 'linux') return '';
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .replace(/\s+/g, '_');
  } catch {
    return '';
  }
}

let ownStart: string | undefined;
/** "<pid>.<start time>" of this process: what locks and staging directory names record. */
const processStamp = () => `${process.pid}.${(ownStart ??= startTime(process.pid))}`;

/** True when the process a stamp names is gone: its pid is dead, or now belongs to a process started later. */
export function stampGone(stamp: string): boolean {
  const [pid, start] = stamp.split('.');
  const n = Number(pid);
  if (!Number.isSafeInteger(n) || n <= 0 || !alive(n)) return true;
  return Boolean(start) && startTime(n) !== '' && startTime(n) !== start;
}

/** staging/<pid>-<start time>-<random>: the owner's stamp in a directory name (older names: <pid>-<random>). */
export const stagingPrefix = () => `${processStamp().replace('.', '-')}-`;

/** True when the process that named a staging directory is gone (a kill -9 mid-extraction, a reused pid). */
export function stagingGone(name: string): boolean {
  const [pid, start, rest] = name.split('-');
  return stampGone(rest === undefined ? pid : `${pid}.${start}`);
}

async function owner(dir: string): Promise<{ stamp: string; token: string } | undefined> {
  try {
    const [stamp, token] = (await readFile(join(dir, 'owner'), 'utf8')).split(' ');
    return { stamp, token };
  } catch {
    return undefined;
  }
}

/** True when the lock's holder is gone: a dead process, or no owner file long after the mkdir (killed in between). */
async function stale(dir: string): Promise<string | undefined> {
  const o = await owner(dir);
  if (o) return stampGone(o.stamp) ? o.token : undefined;
  const st = await stat(dir).catch(() => undefined);
  return st && Date.now() - st.mtimeMs > 10_000 ? '' : undefined;
}

/** Creates the lock directory with its owner file; false when another process holds it. */
async function take(dir: string, token: string): Promise<boolean> {
  try {
    await mkdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fsError(e, `taking the lock ${dir}`);
  }
  try {
    await writeFile(join(dir, 'owner'), `${processStamp()} ${token}`);
    return true;
  } catch (e) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw fsError(e, `taking the lock ${dir}`);
  }
}

export async function withLock<T>(
  dir: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; onWait?: () => void } = {},
): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + (opts.timeoutMs ?? Number(process.env.GOARM_LOCK_TIMEOUT_MS ?? 600_000));
  await mkdir(dirname(dir), { recursive: true }).catch((e) => {
    throw fsError(e, `creating ${dirname(dir)}`);
  });
  for (let waited = false; !(await take(dir, token)); ) {
    const staleToken = await stale(dir);
    if (staleToken !== undefined) {
      // Move it aside atomically so that only one waiter takes it over.
      const aside = `${dir}.stale-${token}`;
      if (
        await rename(dir, aside).then(
          () => true,
          () => false,
        )
      ) {
        if ((await owner(aside))?.token === staleToken || staleToken === '')
          await rm(aside, { recursive: true, force: true });
        else await rename(aside, dir).catch(() => rm(aside, { recursive: true, force: true }));
      }
      continue;
    }
    if (Date.now() > deadline)
      throw err(
        'E_LOCKED',
        `another goarm process holds ${dir}`,
        'wait for it to finish; if none is running, remove that directory',
      );
    if (!waited) {
      waited = true;
      opts.onWait?.();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    if ((await owner(dir))?.token === token) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
