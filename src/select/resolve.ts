import { dirname, join, resolve } from 'node:path';
import { err } from '../core/errors.js';
import { readProjectFile } from '../core/fs.js';
import { compare, fromToolchain, isPrerelease, isValid, lang, normalize, parse } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import {
  type GlobalConfig,
  PROJECT_FILE,
  type ProjectConfig,
  parseProjectConfig,
  SPEC_HINT,
  specProblem,
} from './config.js';
import { findSystemGo } from './system.js';
import { isTrusted } from './trust.js';

type Source = {
  kind: 'env' | 'goarm.toml' | 'go-version' | 'tool-versions' | 'go.mod toolchain' | 'go.mod go' | 'default';
  file?: string;
  line?: number;
};

export interface Resolution {
  spec: string; // what the source asked for: "1.23", "1.21.3", ">=1.21" for a go.mod go line
  version?: string; // the installed version chosen, undefined if none installed matches; "system": see root
  root?: string; // for `system`: the Go root found on PATH (system.ts); otherwise versions/<version>
  systemVersion?: string; // for `system`: what its VERSION file says
  installSpec: string; // what `goarm install` needs to satisfy spec
  source: Source;
  settings: ProjectConfig | undefined;
  settingsFile?: string;
  trusted: boolean; // the settings that need trust apply (false when the file has none)
  ignored: string[]; // settings ignored because the file is not trusted, e.g. "env.GOFLAGS", "cgo.cc"
  env: Record<string, string>; // what the shim sets; never GOROOT
  archPin?: string; // GOARCH to set only when the caller did not set GOARCH itself
  searchedDirs: string[];
  readFiles: string[];
}

export interface ResolveOptions {
  home: Home;
  env: NodeJS.ProcessEnv;
  installed: string[];
  global: GlobalConfig;
  hostArch: string;
}

interface Found {
  spec: string;
  source: Source;
}

export async function resolveDir(cwd: string, opts: ResolveOptions): Promise<Resolution> {
  const searchedDirs: string[] = [];
  const readFiles: string[] = [opts.home.config, opts.home.versions];
  let pin: Found | undefined; // explicit pin or go.mod toolchain
  let minimum: Found | undefined; // nearest go.mod `go` line, spec ">=X"
  let settings: { config: ProjectConfig; text: string } | undefined;
  let seenGoMod = false;
  const fromEnv = opts.env.GOARM_VERSION ? checked(opts.env.GOARM_VERSION, { kind: 'env' }) : undefined;

  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    searchedDirs.push(dir);
    const needVersion = !fromEnv && !pin;
    // Once the version is known only the settings file is still wanted; a farther go.mod is another module.
    const names = needVersion
      ? [PROJECT_FILE, '.go-version', '.tool-versions', ...(seenGoMod ? [] : ['go.mod'])]
      : [PROJECT_FILE];
    const texts = await Promise.all(names.map((name) => readProjectFile(join(dir, name))));
    const text = (name: string) => texts[names.indexOf(name)];
    names.forEach((name, i) => texts[i] !== undefined && readFiles.push(join(dir, name)));

    const toml = text(PROJECT_FILE);
    const project = toml === undefined ? undefined : parseProjectConfig(join(dir, PROJECT_FILE), toml);
    if (project) settings ??= { config: project, text: toml! };
    if (needVersion) {
      const goVersion = text('.go-version');
      const toolVersions = text('.tool-versions');
      pin =
        (project?.go !== undefined
          ? checked(project.go, { kind: 'goarm.toml', file: project.file, line: project.goLine })
          : undefined) ??
        (goVersion !== undefined ? fromGoVersion(join(dir, '.go-version'), goVersion) : undefined) ??
        (toolVersions !== undefined ? fromToolVersions(join(dir, '.tool-versions'), toolVersions) : undefined);
      const goMod = text('go.mod');
      if (goMod !== undefined) {
        seenGoMod = true;
        const mod = fromGoMod(join(dir, 'go.mod'), goMod);
        pin ??= mod.toolchain;
        if (!pin) minimum = mod.go;
      }
    }
    if ((fromEnv || pin) && settings) break;
    if (dirname(dir) === dir) break;
  }

  const found = fromEnv ?? pin;
  let r: Pick<Resolution, 'spec' | 'version' | 'installSpec' | 'source' | 'root' | 'systemVersion'>;
  if (fromEnv) {
    // GOARM_VERSION is what `goarm use` sets: an exact installed version, exactly as the shims read it
    // (versions/$GOARM_VERSION). It beats everything, go.mod minimums included.
    const exact = normalize(fromEnv.spec) ?? fromEnv.spec;
    r = {
      spec: fromEnv.spec,
      version: opts.installed.includes(exact) ? exact : undefined,
      installSpec: exact,
      source: fromEnv.source,
    };
  } else if (found && !(minimum && !satisfies(found.spec, minimum.spec.slice(2), opts.installed))) {
    r = {
      spec: found.spec,
      version: pickInstalled(found.spec, opts.installed),
      installSpec: found.spec,
      source: found.source,
    };
  } else if (minimum) {
    const min = minimum.spec.slice(2);
    const viaDefault = opts.global.default ? pickInstalled(opts.global.default, opts.installed) : undefined;
    const newest = (stableOnly: boolean) =>
      newestOf(opts.installed.filter((v) => compare(v, min) >= 0 && !(stableOnly && isPrerelease(v))));
    const version = viaDefault && compare(viaDefault, min) >= 0 ? viaDefault : (newest(true) ?? newest(false));
    r = { spec: minimum.spec, version, installSpec: lang(min), source: minimum.source };
  } else if (opts.global.default) {
    const source: Source = { kind: 'default', file: opts.global.path, line: opts.global.defaultLine };
    const spec = checked(opts.global.default, source).spec;
    r = { spec, version: pickInstalled(spec, opts.installed), installSpec: spec, source };
  } else {
    throw err(
      'E_NO_VERSION',
      `no Go version is configured for ${resolve(cwd)}`,
      'run `goarm install 1.23` (the first Go installed becomes the default), `goarm default <version>`, ' +
        'or `goarm pin <version>` in the project',
    );
  }

  if (r.spec === 'system') {
    // The first go on PATH outside goarm; every guard of the shim still applies to it.
    const sys = await findSystemGo(opts.home, opts.env);
    if (sys) readFiles.push(sys.bin); // its removal or replacement makes the cache stale
    Object.assign(r, { version: sys && 'system', installSpec: 'system', root: sys?.root, systemVersion: sys?.version });
  }
  // Trust is looked up only when the file has settings that need it: hashing (node:crypto) costs every shim cache
  // miss ~10 ms, and a file without such settings applies the same either way.
  const needsTrust = settings !== undefined && projectEnv(settings.config, false).ignored.length > 0;
  const trusted =
    settings !== undefined && needsTrust && (await isTrusted(opts.home, settings.config.file, settings.text));
  if (needsTrust) searchedDirs.push(opts.home.trust); // `goarm trust` writes here, which must invalidate the cache
  const { env, ignored } = projectEnv(settings?.config, trusted);
  const archPin = settings?.config.arch ?? (opts.hostArch === 'arm64' ? 'arm64' : undefined);
  return {
    ...r,
    settings: settings?.config,
    settingsFile: settings?.config.file,
    trusted,
    ignored,
    env,
    archPin,
    searchedDirs,
    readFiles,
  };
}

/**
 * The newest installed version matching spec. "1.23" is the 1.23 family (stable preferred, a prerelease
 * only when no stable 1.23.x is installed); "stable" the newest stable; "latest" the newest stable, else
 * the newest prerelease; anything else must be installed exactly.
 */
/** Where a resolution came from, for messages: `from .go-version:1`, `the global default`. */
export function describeSource(r: Resolution): string {
  const s = r.source;
  if (s.kind === 'env') return 'from GOARM_VERSION';
  if (s.kind === 'default') return 'the global default';
  return `from ${s.file ?? s.kind}${s.line ? `:${s.line}` : ''}`;
}

/** Why a resolution has no version: what shims, hooks and commands print. */
export const whyMissing = (r: Resolution) =>
  r.installSpec === 'system'
    ? `no system Go (${describeSource(r)}): no go on PATH outside goarm's shims`
    : `go${r.installSpec} (${describeSource(r)}) is not installed`;
/** What to do about it. */
export const missingHint = (r: Resolution) =>
  r.installSpec === 'system'
    ? 'install Go with your package manager, or pin a version goarm installs'
    : `run: goarm install ${r.installSpec}`;

export function pickInstalled(spec: string, installed: readonly string[]): string | undefined {
  const s = normalize(spec) ?? spec;
  const valid = installed.filter(isValid);
  const best = (vs: string[]) => newestOf(vs.filter((v) => !isPrerelease(v))) ?? newestOf(vs);
  if (s === 'stable') return newestOf(valid.filter((v) => !isPrerelease(v)));
  if (s === 'latest') return best(valid);
  const family = /^([0-9]+)\.([0-9]+)$/.exec(s);
  if (family) return best(valid.filter((v) => parse(v).major === family[1] && parse(v).minor === family[2]));
  return valid.find((v) => v === s) ?? valid.find((v) => compare(v, s) === 0);
}

const newestOf = (vs: string[]) => (vs.length ? vs.reduce((a, b) => (compare(b, a) > 0 ? b : a)) : undefined);

// Whether an explicit pin meets a go.mod minimum: by the installed version it picks, or, when none is
// installed, by what the spec could install ("1.21" can become 1.21.13 >= 1.21.3).
function satisfies(spec: string, min: string, installed: readonly string[]): boolean {
  const v = pickInstalled(spec, installed);
  if (v) return compare(v, min) >= 0;
  const s = normalize(spec) ?? spec;
  if (s === 'latest' || s === 'stable') return true;
  return /^[0-9]+\.[0-9]+$/.test(s) ? compare(lang(min), s) <= 0 : compare(s, min) >= 0;
}

function checked(spec: string, source: Source): Found {
  const bad = specProblem(spec);
  const at = source.file
    ? `${source.file}${source.line ? `:${source.line}` : ''}: `
    : source.kind === 'env'
      ? 'GOARM_VERSION: '
      : '';
  // GOARM_VERSION is not a file: a bad one is a usage error (exit 2), as the shims report it.
  if (bad) throw err(source.kind === 'env' ? 'E_BAD_SPEC' : 'E_BAD_PIN', `${at}${bad}`, SPEC_HINT);
  return { spec: normalize(spec) ?? spec, source };
}

// Meaningful lines of a small text file, with their 1-based numbers, comments (# …) stripped.
const linesOf = (text: string, comment: RegExp) =>
  text
    .split(/\r?\n/)
    .map((l, i) => ({ text: l.replace(comment, '').trim(), line: i + 1 }))
    .filter((l) => l.text !== '');

function fromGoVersion(file: string, text: string): Found | undefined {
  const first = linesOf(text, /#.*$/)[0];
  return first && checked(first.text, { kind: 'go-version', file, line: first.line });
}

function fromToolVersions(file: string, text: string): Found | undefined {
  for (const l of linesOf(text, /#.*$/)) {
    const [tool, version] = l.text.split(/\s+/); // asdf allows fallbacks after the first version: use the first
    if (tool === 'golang' || tool === 'go')
      return checked(version ?? '', { kind: 'tool-versions', file, line: l.line });
  }
  return undefined;
}

function fromGoMod(file: string, text: string): { toolchain?: Found; go?: Found } {
  const out: { toolchain?: Found; go?: Found } = {};
  for (const l of linesOf(text, /\/\/.*$/)) {
    const m = /^(go|toolchain)\s+(\S+)$/.exec(l.text);
    if (!m) continue;
    if (m[1] === 'toolchain' && m[2] !== 'default') {
      const v = fromToolchain(m[2]);
      out.toolchain = checked(v || m[2], { kind: 'go.mod toolchain', file, line: l.line });
    } else if (m[1] === 'go') {
      const f = checked(m[2], { kind: 'go.mod go', file, line: l.line });
      out.go = { ...f, spec: `>=${f.spec}` };
    }
  }
  return out;
}

/**
 * The environment a project asks for. Needs no trust: GOTOOLCHAIN=local, CGO_ENABLED, GODEBUG netdns and
 * GOFLAGS -tags (validated plain words). Needs trust: everything that can make the go command run another
 * program or pass it flags: cgo.cc, cgo.cflags, cgo.ldflags and all of [env] (GOFLAGS=-toolexec=…, CC, …).
 */
export function projectEnv(
  s: ProjectConfig | undefined,
  trusted: boolean,
): { env: Record<string, string>; ignored: string[] } {
  const env: Record<string, string> = {};
  const ignored: string[] = [];
  const extra: Record<string, string> = {};
  if (s) {
    const risky: [string, string | undefined, string][] = [
      ['cgo.cc', s.cgo.cc, 'CC'],
      ['cgo.cflags', s.cgo.cflags, 'CGO_CFLAGS'],
      ['cgo.ldflags', s.cgo.ldflags, 'CGO_LDFLAGS'],
    ];
    for (const [key, value, name] of [
      ...risky,
      ...Object.entries(s.env).map(([k, v]): [string, string, string] => [`env.${k}`, v, k]),
    ]) {
      if (value === undefined) continue;
      if (trusted) extra[name] = value;
      else ignored.push(key);
    }
  }
  const { GOTOOLCHAIN, GODEBUG, GOFLAGS, ...rest } = extra;
  Object.assign(env, rest);
  env.GOTOOLCHAIN = GOTOOLCHAIN ?? 'local';
  if (s?.cgo.enabled !== undefined) env.CGO_ENABLED = s.cgo.enabled ? '1' : '0';
  // netdns from [cgo] replaces any netdns in [env].GODEBUG rather than relying on GODEBUG's duplicate rules.
  const debug = (GODEBUG ?? '').split(',').filter((p) => p && !(s?.cgo.netdns && p.startsWith('netdns=')));
  if (s?.cgo.netdns) debug.push(`netdns=${s.cgo.netdns}`);
  if (debug.length) env.GODEBUG = debug.join(',');
  const flags = mergeTags(GOFLAGS ?? '', s?.cgo.tags ?? []);
  if (flags) env.GOFLAGS = flags;
  delete env.GOROOT; // config validation already forbids it; the shim must never set it
  return { env, ignored };
}

// Adds tags to GOFLAGS, folding them into an existing -tags= flag (the go command rejects a repeated flag).
function mergeTags(goflags: string, tags: string[]): string {
  const words = goflags.split(/\s+/).filter(Boolean);
  if (!tags.length) return words.join(' ');
  const i = words.findIndex((w) => /^--?tags=/.test(w));
  if (i < 0) return [...words, `-tags=${tags.join(',')}`].join(' ');
  const have = words[i]
    .slice(words[i].indexOf('=') + 1)
    .split(',')
    .filter(Boolean);
  words[i] = `-tags=${[...have, ...tags.filter((t) => !have.includes(t))].join(',')}`;
  return words.join(' ');
}
