// `system`: the first `go` on PATH that is not goarm's (a distro Go, /usr/local/go, Homebrew's). Skipped: goarm's
// shims directory, anything under versions/ (goarm exec puts a root there first) and any file that is a goarm shim
// of another GOARM_HOME. The root is the real binary's parent's parent (Homebrew's bin/go is a symlink into it).
import { accessSync, closeSync, constants, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { readOptional } from '../core/fs.js';
import { fromToolchain } from '../core/goversion.js';
import type { Home } from '../core/home.js';

export interface SystemGo {
  /** the `go` found on PATH, as found */
  bin: string;
  root: string;
  /** from root/VERSION; undefined when that file is missing or says something else */
  version?: string;
}

// Synchronous, like core/fs.ts: one stat or two per PATH entry, on `goarm list`'s path.
const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

function isShim(file: string): boolean {
  const fd = attempt(() => openSync(file, 'r'));
  if (fd === undefined) return true; // unreadable: not something we can run either
  try {
    const buf = Buffer.alloc(64);
    return buf.toString('latin1', 0, readSync(fd, buf, 0, 64, 0)).includes('# goarm shim');
  } finally {
    closeSync(fd);
  }
}

export async function findSystemGo(home: Home, env: NodeJS.ProcessEnv): Promise<SystemGo | undefined> {
  const shims = attempt(() => realpathSync(home.shims)) ?? resolve(home.shims);
  const versions = attempt(() => realpathSync(home.versions)) ?? resolve(home.versions);
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue; // a relative PATH entry would change with the directory
    const bin = join(dir, 'go');
    // existsSync first: a missing file is the common case, and a throw (an Error with a stack) costs far more
    const real = existsSync(bin) ? attempt(() => realpathSync(bin)) : undefined;
    if (!real || !statSync(real).isFile() || !attempt(() => (accessSync(real, constants.X_OK), true))) continue;
    if (dirname(real) === shims || real.startsWith(versions + sep) || isShim(real)) continue;
    const root = dirname(dirname(real));
    const first = (await readOptional(join(root, 'VERSION')))?.split('\n')[0] ?? '';
    return { bin, root, version: fromToolchain(first) || undefined };
  }
  return undefined;
}
