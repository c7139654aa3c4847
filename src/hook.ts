// What the prompt hooks of `goarm use` (shims/init.*) run when the resolve cache for $PWD is missing or stale:
// `node light.js hook-resolve <dir>` resolves <dir> exactly as `shim-resolve` does and rewrites the shims'
// cache (POSIX sh, which the bash and zsh hooks source with _goarm_hook=1), plus a fish twin, because fish
// cannot source sh code. Light path: no yargs; install code loads only when auto_install must install.
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GoarmError, render } from './errors.js';
import { resolveHere } from './here.js';
import { goarmHome, type Home } from './home.js';
import type { Resolution } from './resolve.js';
import { cacheFile, describeSource, renderCache, writeCache } from './shims.js';
import { fishQuote } from './use.js';

const fishCacheFile = (home: Home, dir: string) => join(dirname(cacheFile(home, dir)), '.goarm-fish-cache');

/**
 * The fish twin of the shims' cache, for the hook only (no environment: fish runs go through the sh shims).
 * `test a -nt b` compares nanosecond mtimes in fish (3.6+) as in sh, so both files go stale together.
 */
function renderFishCache(home: Home, r: Resolution, opts: { onlyWithEnvVersion?: boolean } = {}): string {
  // One `test` for all dependencies (-o): sourcing this runs before every prompt, and each command costs.
  const deps = [...new Set([home.root, ...r.searchedDirs, ...r.readFiles])].map((dep) => `${fishQuote(dep)} -nt $_goarm_c`).join(' -o ');
  // As in the sh cache: the hook sets _goarm_new when it sources a cache just written for this very prompt.
  const fresh = `test -n "$_goarm_new"; or not test ${deps}`;
  const lines = ['# goarm hook cache for fish (generated; safe to delete)', opts.onlyWithEnvVersion ? `if set -q GOARM_VERSION; and begin; ${fresh}; end` : `if ${fresh}`];
  if (!r.version) lines.push(`    set _goarm_err ${fishQuote(`goarm: go${r.installSpec} (${describeSource(r)}) is not installed; run: goarm install ${r.installSpec}`)}`);
  if (r.ignored.length && r.settingsFile)
    lines.push(`    set _goarm_note ${fishQuote(`goarm: ignoring ${r.ignored.join(', ')} from ${r.settingsFile} until you run \`goarm trust\` there`)}`);
  lines.push('    set _goarm_fresh 1', 'end', '');
  return lines.join('\n');
}

/**
 * Resolves `dir` and writes both caches. Returns the exit code. "No version configured anywhere" is silent:
 * a line on every cd into a non-Go directory would be noise, and the shims say it when go actually runs.
 */
export async function hookResolve(dir: string): Promise<number> {
  const home = goarmHome();
  const started = Date.now();
  const { GOARM_VERSION, ...dirEnv } = process.env;
  try {
    let r: Resolution;
    let onlyWithEnvVersion = false;
    try {
      r = await resolveHere(home, dir, dirEnv);
    } catch (e) {
      // Same rule as `shim-resolve`: a version chosen with `goarm use` covers a directory that names none.
      if (!GOARM_VERSION || !(e instanceof GoarmError) || e.code === 'E_CONFIG') throw e;
      r = await resolveHere(home, dir, process.env);
      onlyWithEnvVersion = true;
    }
    await writeCache(home, dir, renderCache(home, r, { onlyWithEnvVersion }), started);
    await writeDated(fishCacheFile(home, dir), renderFishCache(home, r, { onlyWithEnvVersion }), started);
    return 0;
  } catch (e) {
    if (e instanceof GoarmError && e.code === 'E_NO_VERSION') return e.exitCode;
    return render(e);
  }
}

// Like writeCache in shims.ts: atomic, and dated one second before resolution started, so that an edit made
// meanwhile still makes it stale (and a shell comparing whole seconds agrees).
async function writeDated(file: string, text: string, startedMs: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  const t = (startedMs - 1000) / 1000;
  await utimes(tmp, t, t);
  await rename(tmp, file);
}
