// Resolving a directory and writing its caches, for the light entry's `shim-resolve` (the shims' cache miss)
// and `hook-resolve` (the prompt hooks of `goarm use`, shims/init.*): the shims' cache is POSIX sh, which the
// bash and zsh hooks source with _goarm_hook=1; the hook also gets a fish twin, because fish cannot source sh.
// Light path: no yargs; install code loads only when auto_install must install.
import { dirname, join, resolve } from 'node:path';
import { err, GoarmError, render } from '../core/errors.js';
import { goarmHome, type Home } from '../core/home.js';
import { resolveHere } from '../select/environment.js';
import type { Resolution } from '../select/resolve.js';
import { missingHint, whyMissing } from '../select/resolve.js';
import { fishQuote } from './quote.js';
import { type CacheDeps, cacheDeps, cacheFile, renderCache, writeCache } from './shims.js';

const fishCacheFile = (home: Home, dir: string) => join(dirname(cacheFile(home, dir)), '.goarm-fish-cache');

/**
 * The fish twin of the shims' cache, for the hook only (no environment: fish runs go through the sh shims).
 * `test a -nt b` compares nanosecond mtimes in fish (3.6+) as in sh, so both files go stale together.
 */
function renderFishCache(
  _home: Home,
  r: Resolution,
  d: CacheDeps,
  opts: { onlyWithEnvVersion?: boolean } = {},
): string {
  // One `test` for all dependencies (-o): sourcing this runs before every prompt, and each command costs.
  const deps = [
    ...d.changed.map((f) => `${fishQuote(f)} -nt $_goarm_c -o ! -e ${fishQuote(f)}`),
    ...d.appear.map((f) => `-e ${fishQuote(f)}`),
  ].join(' -o ');
  // As in the sh cache: the hook sets _goarm_new when it sources a cache just written for this very prompt.
  const fresh = deps ? `test -n "$_goarm_new"; or not test ${deps}` : 'true';
  const lines = [
    '# goarm hook cache for fish (generated; safe to delete)',
    opts.onlyWithEnvVersion ? `if set -q GOARM_VERSION; and begin; ${fresh}; end` : `if ${fresh}`,
  ];
  if (!r.version) lines.push(`    set _goarm_err ${fishQuote(`goarm: ${whyMissing(r)}; ${missingHint(r)}`)}`);
  if (r.ignored.length && r.settingsFile)
    lines.push(
      `    set _goarm_note ${fishQuote(
        `goarm: ignoring ${r.ignored.join(', ')} from ${r.settingsFile} until you run \`goarm trust\` there`,
      )}`,
    );
  lines.push('    set _goarm_fresh 1', 'end', '');
  return lines.join('\n');
}

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
  const deps = await cacheDeps(home, r);
  await writeCache(cacheFile(home, dir), renderCache(home, r, deps, { onlyWithEnvVersion }), started);
  if (opts.fish)
    await writeCache(fishCacheFile(home, dir), renderFishCache(home, r, deps, { onlyWithEnvVersion }), started);
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
