// The resolve cache, described once: what a cached resolution of a directory says (its staleness tests, the
// verdict, the environment) and where it lives. Each shell's module renders that description in its own syntax
// (sh.ts for the shims and the bash/zsh hooks, fish.ts for the fish hook), so the formats cannot drift apart.
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsError } from '../core/errors.js';
import { atomicWrite, exists } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { missingHint, type Resolution, whyMissing } from '../select/resolve.js';

export const cacheFile = (home: Home, dir: string) => join(home.resolveCache + dir, '.goarm-shim-cache');

/** The project files resolve.ts looks for in each directory it searches. */
const PROJECT_FILES = ['.goarm.toml', '.go-version', '.tool-versions', 'go.mod'];

/**
 * What can make a cached resolution wrong: a file that was read changing or disappearing (`changed`), or a
 * project file appearing where there was none (`appear`). Deliberately not the mtimes of the directories
 * searched: $HOME and /tmp change all the time, and every change there would start Node again.
 */
export interface CacheDeps {
  changed: string[];
  appear: string[];
}

export async function cacheDeps(home: Home, r: Resolution): Promise<CacheDeps> {
  const read = new Set(r.readFiles);
  const candidates = [...r.readFiles, ...(r.searchedDirs.includes(home.trust) ? [home.trust] : [])];
  const present = await Promise.all(candidates.map(exists));
  const changed = candidates.filter((_, i) => present[i]);
  const appear = candidates.filter((_, i) => !present[i]);
  for (const dir of r.searchedDirs) {
    if (dir === home.trust) continue;
    for (const name of PROJECT_FILES) if (!read.has(join(dir, name))) appear.push(join(dir, name));
  }
  return { changed: [...new Set(changed)], appear: [...new Set(appear)] };
}

export const fishCacheFile = (home: Home, dir: string) => join(dirname(cacheFile(home, dir)), '.goarm-fish-cache');

/** Everything a cache file says, in no shell's syntax. */
export interface CacheSpec {
  /** Serves only shells that chose a version with `goarm use` (the directory alone resolves to nothing usable). */
  onlyWithEnvVersion: boolean;
  deps: CacheDeps;
  /** The Go root to run, or why there is none (with the shims' exit code). */
  verdict: { root: string } | { err: string; code: number };
  arch?: string;
  /** One line for the hook: settings of an untrusted .goarm.toml that are ignored. */
  note?: string;
  /** What the shims export. `force`: set even when the caller has a value (GOTOOLCHAIN: never a download). */
  env: { name: string; value: string; force: boolean }[];
}

export function describeCache(
  home: Home,
  r: Resolution,
  deps: CacheDeps,
  opts: { onlyWithEnvVersion?: boolean } = {},
): CacheSpec {
  return {
    onlyWithEnvVersion: opts.onlyWithEnvVersion ?? false,
    deps,
    verdict: r.version
      ? { root: r.root ?? home.version(r.version) }
      : { err: `goarm: ${whyMissing(r)}; ${missingHint(r)}`, code: 4 },
    arch: r.archPin,
    note:
      r.ignored.length && r.settingsFile
        ? `goarm: ignoring ${r.ignored.join(', ')} from ${r.settingsFile} until you run \`goarm trust\` there`
        : undefined,
    env: Object.entries(r.env)
      .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== 'GOROOT')
      .map(([name, value]) => ({ name, value, force: name === 'GOTOOLCHAIN' })),
  };
}

/** Writes a cache file atomically, dated just before resolution started so an edit made meanwhile still counts. */
export async function writeCache(file: string, text: string, startedMs: number): Promise<void> {
  try {
    // One second earlier still: some shells (macOS bash 3.2) compare mtimes in whole seconds.
    await atomicWrite(file, text, { mtimeMs: startedMs - 1000 });
  } catch (e) {
    // Node's recursive mkdir reports a read-only filesystem as ENOENT: ask the nearest directory that exists why.
    let dir = dirname(file);
    while (!(await exists(dir)) && dirname(dir) !== dir) dir = dirname(dir);
    let why: unknown;
    try {
      accessSync(dir, constants.W_OK);
    } catch (a) {
      why = a;
    }
    throw why ? fsError(why, `writing ${file}`) : e;
  }
}
