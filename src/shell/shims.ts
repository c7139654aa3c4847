// Renders shims/ templates into GOARM_HOME/shims, and writes the per-directory resolve cache the shims source.
// Everything written into shell code goes through q(): no project file can inject shell code.
import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsError } from '../core/errors.js';
import { atomicWrite, exists } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { withLock } from '../core/lock.js';
import { packageFile } from '../core/package.js';
import { host, SIMULATION_HOOKS, simulation, sysctlCommand } from '../core/platform.js';
import { missingHint, type Resolution, whyMissing } from '../select/resolve.js';
import { q } from './quote.js';

export const TOOLS = ['go', 'gofmt'] as const;
const TEMPLATE = packageFile.template('shim.sh');
const PKG = packageFile.json;

// On Apple Silicon the shim refuses a Rosetta-translated caller: it would build amd64 binaries and run an x86 go.
// Only facts the caller cannot set decide (never HOSTTYPE or MACHTYPE: bash keeps inherited ones). In bash (macOS
// /bin/sh) BASH_VERSINFO[5] is compiled into each slice of the universal binary and read-only: no fork. `command
// eval` because dash and zsh cannot parse it (dash would exit) and a caller may export BASH_VERSION to them. Any
// other shell, or an unknown machine type: one `sysctl -in sysctl.proc_translated`, by absolute path on a real Mac.
const ARM = 'arm64-*|aarch64-*';
const X86 = 'x86_64-*|i386-*|i686-*';
function rosetta(): string {
  const sim = simulation();
  const [native, translated] = sim.nativeCpu === 'x86_64' ? [X86, ARM] : [ARM, X86];
  return (
    `if [ -z "\${GOARM_ALLOW_ROSETTA-}" ]; then
  _goarm_mt=
  # shellcheck disable=SC3028,SC3054 # bash only; elsewhere empty
  [ -z "\${BASH_VERSION-}" ] || command eval '_goarm_mt=\${BASH_VERSINFO[5]-}' 2>/dev/null
  case "$_goarm_mt" in
    ${native}) _goarm_tr= ;;
    ${translated}) _goarm_tr=1 ;;
    *) [ "$(${sysctlCommand()} -in sysctl.proc_translated 2>/dev/null)" = 1 ] && _goarm_tr=1 || _goarm_tr= ;;
  esac
  if [ -n "$_goarm_tr" ]; then
    echo "goarm: refusing to run go under Rosetta translation: ` +
    `this shell is x86_64 on an Apple Silicon Mac, so go would build and run amd64 code [E_ROSETTA]" >&2
    echo "goarm: open a native (arm64) terminal, ` +
    `or run: arch -arm64 /bin/zsh -l  (set GOARM_ALLOW_ROSETTA=1 to override)" >&2
    exit 10
  fi
fi`
  );
}

// The resolve cache a shim's Node call writes serves every shell in that directory: a caller's test hook must not
// decide it. A shim rendered without them unsets them; one rendered under them (tests) carries their values.
function simulateLine(env: NodeJS.ProcessEnv = process.env): string {
  simulation(env); // validated
  const set = SIMULATION_HOOKS.filter((n) => env[n]);
  const unset = SIMULATION_HOOKS.filter((n) => !env[n]);
  return [
    ...(set.length ? [`export ${set.map((n) => `${n}=${q(env[n]!)}`).join(' ')}`] : []),
    ...(unset.length ? [`unset ${unset.join(' ')}`] : []),
  ].join('\n');
}

export async function renderShims(home: Home): Promise<string[]> {
  const template = await readFile(TEMPLATE, 'utf8');
  const version = JSON.parse(await readFile(PKG, 'utf8')).version as string;
  const h = host();
  await mkdir(home.shims, { recursive: true });
  return withLock(home.lock('shims'), async () =>
    Promise.all(
      TOOLS.map(async (tool) => {
        const text = template
          .replaceAll('@TOOL@', tool)
          .replaceAll('@GOARM_VERSION@', version)
          .replace('@HOME@', q(home.root))
          .replace('@SIMULATE@', simulateLine())
          .replace('@ROSETTA@', h.os === 'darwin' && h.appleSilicon ? rosetta() : '');
        const file = join(home.shims, tool);
        await atomicWrite(file, text, { mode: 0o755 });
        return file;
      }),
    ),
  );
}

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

/**
 * The cache is shell code: staleness tests first (`return 1` before setting anything), then the verdict,
 * then the exports.
 */
export function renderCache(
  home: Home,
  r: Resolution,
  deps: CacheDeps,
  opts: { onlyWithEnvVersion?: boolean } = {},
): string {
  const lines = ['# goarm resolve cache (generated; safe to delete)'];
  if (opts.onlyWithEnvVersion) lines.push('[ -n "${GOARM_VERSION-}" ] || return 1');
  // The shim sets _goarm_new when it sources a cache just written for this very call: then a dependency touched
  // within the last second (the cache is dated a second early, see writeCache) must not make it look stale.
  lines.push('if [ -z "${_goarm_new-}" ]; then');
  for (const f of deps.changed) lines.push(`[ ${q(f)} -nt "$_goarm_c" ] && return 1; [ -e ${q(f)} ] || return 1`);
  for (const f of deps.appear) lines.push(`[ -e ${q(f)} ] && return 1`);
  lines.push('fi');
  if (r.version) lines.push(`_goarm_root=${q(r.root ?? home.version(r.version))}`);
  else lines.push(`_goarm_err=${q(`goarm: ${whyMissing(r)}; ${missingHint(r)}`)}`, '_goarm_errcode=4');
  if (r.archPin) lines.push(`_goarm_arch=${q(r.archPin)}`);
  if (r.ignored.length && r.settingsFile)
    lines.push(
      `_goarm_note=${q(
        `goarm: ignoring ${r.ignored.join(', ')} from ${r.settingsFile} until you run \`goarm trust\` there`,
      )}`,
    );
  // The shell hook (goarm use) sources this too, with _goarm_hook set: it needs the verdict, not the exports.
  lines.push('_goarm_fresh=1', '[ -z "${_goarm_hook-}" ] || return 0');
  for (const [name, value] of Object.entries(r.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'GOROOT') continue;
    // The caller's own setting wins (like GOARCH), except GOTOOLCHAIN: go must never fetch a toolchain
    // behind goarm's back.
    lines.push(
      name === 'GOTOOLCHAIN'
        ? `export GOTOOLCHAIN=${q(value)}`
        : `[ -n "\${${name}+x}" ] || export ${name}=${q(value)}`,
    );
  }
  lines.push('');
  return lines.join('\n');
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
    const why = await access(dir, constants.W_OK).then(
      () => undefined,
      (a: unknown) => a,
    );
    throw why ? fsError(why, `writing ${file}`) : e;
  }
}
