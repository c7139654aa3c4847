// `system`: the first `go` on PATH that is not goarm's (a distro Go, /usr/local/go, Homebrew's). Skipped: goarm's
// shims directory, anything under versions/ (goarm exec puts a root there first) and any file that is a goarm shim
// of another GOARM_HOME. The root is the real binary's parent's parent (Homebrew's bin/go is a symlink into it).
import { constants } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
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

async function isShim(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return true; // unreadable: not something we can run either
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('latin1').includes('# goarm shim');
  } finally {
    await fh.close();
  }
}

export async function findSystemGo(home: Home, env: NodeJS.ProcessEnv): Promise<SystemGo | undefined> {
  const shims = await realpath(home.shims).catch(() => resolve(home.shims));
  const versions = await realpath(home.versions).catch(() => resolve(home.versions));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue; // a relative PATH entry would change with the directory
    const bin = join(dir, 'go');
    const real = await realpath(bin).catch(() => undefined);
    if (
      !real ||
      !(await stat(real)).isFile() ||
      (await access(real, constants.X_OK).then(
        () => false,
        () => true,
      ))
    )
      continue;
    if (dirname(real) === shims || real.startsWith(versions + sep) || (await isShim(real))) continue;
    const root = dirname(dirname(real));
    const first = (await readOptional(join(root, 'VERSION')))?.split('\n')[0] ?? '';
    return { bin, root, version: fromToolchain(first) || undefined };
  }
  return undefined;
}
