// Cross-process locks as directories (mkdir is atomic on every filesystem we support). The owner's pid is
// recorded inside, so a lock left by a killed process (kill -9) is taken over instead of blocking forever.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { err } from './errors.js';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function owner(dir: string): Promise<{ pid: number; token: string } | undefined> {
  try {
    const [pid, token] = (await readFile(join(dir, 'owner'), 'utf8')).split(' ');
    return { pid: Number(pid), token };
  } catch {
    return undefined;
  }
}

/** True when the lock's holder is gone: a dead pid, or no owner file long after the mkdir (killed in between). */
async function stale(dir: string): Promise<string | undefined> {
  const o = await owner(dir);
  if (o) return alive(o.pid) ? undefined : o.token;
  const st = await stat(dir).catch(() => undefined);
  return st && Date.now() - st.mtimeMs > 10_000 ? '' : undefined;
}

export async function withLock<T>(
  dir: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; onWait?: () => void } = {},
): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + (opts.timeoutMs ?? Number(process.env.GOARM_LOCK_TIMEOUT_MS ?? 600_000));
  await mkdir(dirname(dir), { recursive: true });
  for (let waited = false; ; ) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'owner'), `${process.pid} ${token}`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
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
    if ((await owner(dir))?.token === token) await rm(dir, { recursive: true, force: true });
  }
}
