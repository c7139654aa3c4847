// Resolving a directory and writing its caches, for the light entry's `shim-resolve` (the shims' cache miss)
// and `hook-resolve` (the prompt hooks of `goarm use`, shims/init.*): the shims' cache is POSIX sh, which the
// bash and zsh hooks source with _goarm_hook=1; the hook also gets a fish twin, because fish cannot source sh.
// Light path: no yargs; install code loads only when auto_install must install.
import { resolve } from 'node:path';
import { err, GoarmError, render } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { resolveHere } from '../select/environment.js';
import type { Resolution } from '../select/resolve.js';
import { cacheDeps, cacheFile, describeCache, fishCacheFile, writeCache } from './cache.js';
import { renderFishCache } from './fish.js';
import { renderShCache } from './sh.js';

/**
 * Resolves `dir` without GOARM_VERSION, so the cache serves every shell there, and writes its caches. When the
 * directory alone gives no usable version but this shell chose one with `goarm use`, the cache is written for
 * shells that have GOARM_VERSION set, and serves no other.
 */
export async function resolveAndCache(dir: string, opts: { fish: boolean }): Promise<void> {
  const home = goarmHome();
  checkDir(dir);
  const started = Date.now();
  const { GOARM_VERSION, ...dirEnv } = process.env;
  let r: Resolution;
  let onlyWithEnvVersion = false;
  try {
    r = await resolveHere(home, dir, dirEnv);
  } catch (e) {
    if (!GOARM_VERSION || !(e instanceof GoarmError) || e.code === 'E_CONFIG') throw e;
    r = await resolveHere(home, dir, process.env);
    onlyWithEnvVersion = true;
  }
  const spec = describeCache(home, r, await cacheDeps(home, r), { onlyWithEnvVersion });
  await writeCache(cacheFile(home, dir), renderShCache(spec), started);
  if (opts.fish) await writeCache(fishCacheFile(home, dir), renderFishCache(spec), started);
}

/**
 * The directory a shim or hook names is the cache key: it must be absolute and normal (no `.`, `..` or empty
 * component), so the cache stays under cache/resolve/. The shims and hooks check the same in shell (and that it is
 * their working directory); this is the second line.
 */
function checkDir(dir: string): void {
  if (dir.startsWith('/') && resolve(dir) === dir && !dir.includes('\0')) return;
  throw err(
    'E_CWD',
    `the shim or hook named ${JSON.stringify(dir.slice(0, 200))}, which is not an absolute, normal path`,
    'cd to the directory again (or run `cd -P .`); a PWD with `..` in it is not used',
  );
}

/**
 * The hook's entry. Returns the exit code. "No version configured anywhere" is silent: a line on every cd into a
 * non-Go directory would be noise, and the shims say it when go actually runs.
 */
export async function hookResolve(dir: string): Promise<number> {
  try {
    await resolveAndCache(dir, { fish: true });
    return 0;
  } catch (e) {
    if (e instanceof GoarmError && e.code === 'E_NO_VERSION') return e.exitCode;
    return render(e);
  }
}
