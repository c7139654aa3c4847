import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { err } from '../core/errors.js';
import { atomicWrite, readOptional, readProjectFile } from '../core/fs.js';
import { normalize } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import {
  locationProblem,
  mirrorProblem,
  OFFICIAL_FILES,
  OFFICIAL_INDEX,
  resolveMirrors,
  splitEntries,
  toLocation,
} from '../install/mirrors.js';
import {
  bool,
  type Check,
  type Ctx,
  check,
  isTable,
  K,
  type KeyInfo,
  parseSyntax,
  type Rule,
  report,
  scan,
  str,
  strList,
  suggest,
  typeName,
} from './toml.js';

export const DEFAULT_INDEX_URL = OFFICIAL_INDEX;
export const DEFAULT_DOWNLOAD_BASE = OFFICIAL_FILES;
export const PROJECT_FILE = '.goarm.toml';
export const DEFAULT_VULNDB_URL = 'https://vuln.go.dev/';

export interface GlobalConfig {
  indexUrl: string; // the trusted index: every SHA-256 comes from here (http(s) or file: URL)
  downloadBase: string; // always ends in "/"; the official host: files of last resort and a missing .asc
  trustedKeys: string[]; // absolute paths of armored key files
  default?: string;
  defaultLine?: number; // line of `default` in config.toml, for "why this version"
  autoInstall: boolean;
  mirror?: string[]; // `mirror` entries as written (config.toml, or GOARM_MIRROR); loadGlobalConfig always sets it
  mirrors?: string[]; // file sources tried before downloadBase, resolved from `mirror`; each ends in "/"
  stallTimeout?: number; // seconds without a byte before a request fails (`stall_timeout`)
  vulndbUrl: string; // Go's vulnerability database (vuln.go.dev layout); always ends in "/"
  path: string;
}

export interface ProjectConfig {
  file: string;
  go?: string;
  goLine?: number;
  arch?: string;
  cgo: { enabled?: boolean; netdns?: string; tags?: string[]; cc?: string; cflags?: string; ldflags?: string };
  env: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------- specs

/**
 * Why a version spec written in a file or the environment is unacceptable, or undefined if it is fine.
 * Deliberately narrower than Go's own grammar: anything that ends up in a path or a cache file must not
 * carry "/", "..", spaces or quotes (goenv's CVE-2022-35861 was a version string that walked out of its root).
 */
export function specProblem(spec: string): string | undefined {
  if (spec === 'latest' || spec === 'stable' || spec === 'system') return undefined;
  if (/^(go)?[0-9]+\.[0-9]+(\.[0-9]+)?((alpha|beta|rc)[0-9]+)?$/.test(spec) && normalize(spec) !== undefined)
    return undefined;
  return `invalid Go version ${shown(spec)}`;
}

/**
 * A value from a file, fit for a message: short printable values quoted and escaped; long ones cut; anything with
 * control or non-ASCII characters (a symlink to /proc/self/environ, binary junk) only counted, never echoed.
 */
function shown(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) return `(${value.length} characters, some not printable; not shown)`;
  if (value.length <= 32) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, 24))}… (${value.length} characters)`;
}
export const SPEC_HINT =
  'a version looks like 1.23 (newest 1.23.x), 1.23.4, go1.23.4, 1.24rc1, latest or stable; or system (go on PATH)';

const url = locationProblem; // http(s) or file: URLs, or paths (a directory made by `goarm mirror sync`)
const mirrorList: Check = (v, p) => {
  if (typeof v === 'string') return splitEntries(v).map(mirrorProblem).find(Boolean);
  return strList((s) => mirrorProblem(s))(v, p);
};

// ----------------------------------------------------------------------------------- global config

/** `stall_timeout`: 30 (seconds), "30s" or "2m"; undefined when it is neither. */
function parseSeconds(v: unknown): number | undefined {
  const m = typeof v === 'number' ? [String(v), String(v), ''] : /^\s*(\d+(?:\.\d+)?)\s*(s|m)?\s*$/.exec(String(v));
  const n = m ? Number(m[1]) * (m[2] === 'm' ? 60 : 1) : Number.NaN;
  return n > 0 && n <= 3600 ? n : undefined;
}
const seconds: Check = (v, p) =>
  parseSeconds(v) === undefined
    ? `${p} must be a number of seconds up to 3600 (e.g. 30) or a duration like "30s" or "2m", not ${JSON.stringify(v)}`
    : undefined;

const versionSpec = str((s) => (specProblem(s) ? `${specProblem(s)} (${SPEC_HINT})` : undefined));
const GLOBAL_RULES: Record<string, Rule> = {
  index_url: str(url),
  download_base: str(url),
  trusted_keys: strList((s) => (s.trim() ? undefined : 'empty key path')),
  default: versionSpec,
  auto_install: bool,
  mirror: mirrorList,
  stall_timeout: seconds,
  vulndb_url: str(url),
};
export const GLOBAL_KEYS = Object.keys(GLOBAL_RULES);

export async function loadGlobalConfig(home: Home, env: NodeJS.ProcessEnv = process.env): Promise<GlobalConfig> {
  const src = await readOptional(home.config);
  const { table: t, pos } =
    src === undefined
      ? { table: {} as Record<string, unknown>, pos: new Map<string, KeyInfo>() }
      : check(home.config, src, GLOBAL_RULES);
  for (const name of ['GOARM_INDEX_URL', 'GOARM_DOWNLOAD_BASE', 'GOARM_MIRROR', 'GOARM_VULNDB_URL'] as const) {
    const m = !env[name]
      ? undefined
      : name === 'GOARM_MIRROR'
        ? splitEntries(env[name]!).map(mirrorProblem).find(Boolean)
        : url(env[name]!);
    if (m) throw err('E_CONFIG', `${name}: ${m}`, `set ${name} to an http(s) or file: URL or a path, or unset it`);
  }
  // Paths from the environment are relative to the working directory; those in config.toml to GOARM_HOME.
  const cwd = process.cwd();
  const mirror = env.GOARM_MIRROR
    ? splitEntries(env.GOARM_MIRROR)
    : t.mirror === undefined
      ? []
      : splitEntries(t.mirror as string | string[]);
  const m = resolveMirrors(mirror, env.GOARM_MIRROR ? cwd : home.root);
  const place = (envName: `GOARM_${'INDEX_URL' | 'DOWNLOAD_BASE' | 'VULNDB_URL'}`, key: string, dir: boolean) =>
    env[envName]
      ? toLocation(env[envName]!, cwd, dir)
      : t[key] !== undefined
        ? toLocation(t[key] as string, home.root, dir)
        : undefined;
  const keyPath = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : resolve(home.root, p));
  return {
    indexUrl: place('GOARM_INDEX_URL', 'index_url', false) ?? m.pair?.index ?? DEFAULT_INDEX_URL,
    downloadBase: place('GOARM_DOWNLOAD_BASE', 'download_base', true) ?? m.pair?.official ?? DEFAULT_DOWNLOAD_BASE,
    trustedKeys: ((t.trusted_keys as string[] | undefined) ?? []).map(keyPath),
    default: t.default === undefined ? undefined : (normalize(t.default as string) ?? (t.default as string)),
    defaultLine: pos.get(K(['default']))?.key.line,
    autoInstall: (t.auto_install as boolean | undefined) ?? false,
    mirror,
    mirrors: m.files,
    stallTimeout: parseSeconds(t.stall_timeout),
    vulndbUrl: place('GOARM_VULNDB_URL', 'vulndb_url', true) ?? DEFAULT_VULNDB_URL,
    path: home.config,
  };
}

/**
 * `goarm config set/unset`: validates `value` with the same rules as config.toml, then edits that one key in place
 * (comments and other keys survive). `undefined` removes the key.
 */
export async function setGlobalValue(
  home: Home,
  key: string,
  value: string | string[] | boolean | undefined,
): Promise<void> {
  const rule = Object.hasOwn(GLOBAL_RULES, key) ? GLOBAL_RULES[key] : undefined;
  if (typeof rule !== 'function')
    throw err(
      'E_USAGE',
      `unknown setting ${JSON.stringify(key)}${suggest(key, GLOBAL_KEYS)}`,
      `settings: ${GLOBAL_KEYS.join(', ')}`,
    );
  if (key === 'default' && typeof value === 'string') return setGlobalDefault(home, value);
  const bad = value === undefined ? undefined : rule(value, key);
  if (bad)
    throw err(
      'E_USAGE',
      bad,
      key === 'mirror'
        ? 'a mirror is a preset name (see `goarm mirror presets`), an http(s) or file: URL, or a directory path'
        : undefined,
    );
  await setTopLevel(home.config, key, value);
}

/** Sets `default = "<version>"` in config.toml, keeping every other line and comment. */
export async function setGlobalDefault(home: Home, version: string): Promise<void> {
  await setTopLevelString(home.config, 'default', version);
}

// ---------------------------------------------------------------------------------- project config

// GOARCH values Go knows (go tool dist list), for the `arch` check and its suggestion.
const GOARCHES = [
  '386',
  'amd64',
  'arm',
  'arm64',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'wasm',
];
// [env] names that have a dedicated key: setting both would be ambiguous.
const DEDICATED: Record<string, string> = {
  CGO_ENABLED: 'cgo.enabled',
  CC: 'cgo.cc',
  CGO_CFLAGS: 'cgo.cflags',
  CGO_LDFLAGS: 'cgo.ldflags',
};

const PROJECT_RULES: Record<string, Rule> = {
  go: versionSpec,
  arch: str((s) => (GOARCHES.includes(s) ? undefined : `unknown GOARCH ${JSON.stringify(s)}${suggest(s, GOARCHES)}`)),
  cgo: {
    enabled: bool,
    // GODEBUG netdns: go, cgo, either with +N for debug output, or a bare debug level.
    netdns: str((s) =>
      /^((go|cgo)(\+[12])?|[12])$/.test(s)
        ? undefined
        : `cgo.netdns must be "go" or "cgo" (optionally +1 or +2), not ${JSON.stringify(s)}`,
    ),
    // Build tags are joined into GOFLAGS, so they must be plain words: no spaces, commas or leading "-".
    tags: strList((s) =>
      /^[A-Za-z0-9_.]+$/.test(s)
        ? undefined
        : `invalid build tag ${JSON.stringify(s)} (letters, digits, "_" and "." only)`,
    ),
    cc: str(),
    cflags: str(),
    ldflags: str(),
  },
  env: (v, p) => (isTable(v) ? undefined : `${p} must be a table, not ${typeName(v)}`), // members: checkEnv
};

function checkEnv(ctx: Ctx, t: Record<string, unknown>) {
  const env = t.env;
  if (!isTable(env)) return;
  const cgo = isTable(t.cgo) ? t.cgo : {};
  for (const [name, v] of Object.entries(env)) {
    const p = ['env', name];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      report(ctx, p, 'key', `invalid environment variable name ${JSON.stringify(name)}`);
    else if (name === 'GOROOT')
      report(
        ctx,
        p,
        'key',
        'GOROOT cannot be set: goarm chooses the Go root, and a GOROOT pointing elsewhere ' +
          "would mix one release's go command with another's standard library",
      );
    else if (name === 'GOARCH') report(ctx, p, 'key', 'set GOARCH with the top-level `arch` key, not in [env]');
    else if (DEDICATED[name] && cgo[DEDICATED[name].slice(4)] !== undefined)
      report(ctx, p, 'key', `${name} is also set by ${DEDICATED[name]}; keep only one`);
    const bad = str()(v, `env.${name}`); // a string, without NUL
    if (bad) report(ctx, p, 'value', bad);
  }
}

/** Parses and validates .goarm.toml text already read (resolve reads the file once and hashes it for trust). */
export function parseProjectConfig(file: string, src: string): ProjectConfig {
  const { table: t, pos } = check(file, src, PROJECT_RULES, checkEnv);
  const cgo = (t.cgo ?? {}) as ProjectConfig['cgo'];
  return {
    file,
    go: t.go as string | undefined,
    goLine: pos.get(K(['go']))?.key.line,
    arch: t.arch as string | undefined,
    cgo: { ...cgo },
    env: { ...((t.env ?? {}) as Record<string, string>) },
  };
}

export async function loadProjectConfig(file: string): Promise<ProjectConfig> {
  const src = await readProjectFile(file);
  if (src === undefined) throw err('E_CONFIG', `${file}: no such file`, undefined);
  return parseProjectConfig(file, src);
}

/** Writes or updates `go = "<spec>"` in dir/.goarm.toml, keeping comments and every other line. */
export async function pinProjectVersion(dir: string, spec: string): Promise<string> {
  const file = join(dir, PROJECT_FILE);
  await setTopLevelString(file, 'go', spec);
  return file;
}

// ------------------------------------------------------------------------------------ line editing

/** Line-based edit of one top-level string key, so comments and layout survive; atomic via rename. */
async function setTopLevelString(file: string, key: string, value: string): Promise<void> {
  const bad = specProblem(value);
  if (bad) throw err('E_BAD_SPEC', bad, SPEC_HINT);
  value = normalize(value) ?? value; // "go1.22" is written as "1.22"
  await setTopLevel(file, key, value, 'a string');
}

const tomlValue = (v: string | string[] | boolean): string =>
  Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);

/** Sets (or with `undefined` removes) one top-level key. `expect` names the only type the old value may have. */
async function setTopLevel(
  file: string,
  key: string,
  value: string | string[] | boolean | undefined,
  expect?: string,
): Promise<void> {
  const src = (await readOptional(file)) ?? '';
  const current = parseSyntax(file, src);
  const have = current[key];
  if (have !== undefined && (expect ? typeof have !== 'string' : isTable(have)))
    throw err(
      'E_CONFIG',
      `${file}: ${key} is ${typeName(have)}, expected ${expect ?? 'a value'}`,
      `fix ${key} in ${basename(file)} by hand`,
    );
  if (value === undefined && have === undefined) return;
  const { keys, headers } = scan(src);
  const lines = src === '' ? [] : src.split(/\r?\n/);
  const assignment = value === undefined ? '' : `${key} = ${tomlValue(value)}`;
  const info = have !== undefined ? keys.get(K([key])) : undefined;
  if (info && value === undefined) lines.splice(info.key.line - 1, info.endLine - info.key.line + 1);
  else if (info) {
    const { line, col } = info.key;
    const last = lines[info.endLine - 1];
    // Keep a trailing comment when the old value sat on one line.
    const rest =
      info.endLine === line ? last.slice(info.value.col - 1).replace(/^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#]+)/, '') : '';
    const comment = /^\s*#.*$/.test(rest) ? rest : '';
    lines.splice(line - 1, info.endLine - line + 1, lines[line - 1].slice(0, col - 1) + assignment + comment);
  } else if (headers.length) {
    // Top-level keys must precede the first table header; keep a comment block attached to its header.
    let at = headers[0] - 1;
    while (at > 0 && /^\s*#/.test(lines[at - 1])) at--;
    lines.splice(at, 0, assignment, '');
  } else {
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    lines.push(assignment, '');
  }
  const out = lines.join(src.includes('\r\n') ? '\r\n' : '\n');
  const after = parseSyntax(file, out)[key];
  if (JSON.stringify(after) !== JSON.stringify(value))
    throw err(
      'E_CONFIG',
      `${file}: could not ${value === undefined ? 'remove' : 'set'} ${key} automatically`,
      `${value === undefined ? `remove ${key}` : `set ${assignment}`} in ${basename(file)} by hand`,
    );
  await atomicWrite(file, out);
}
