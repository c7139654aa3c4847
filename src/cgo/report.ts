// `goarm cgo`: which packages of the module here use cgo, directly or through which dependency, and what happens
// to them with cgo off. It asks the project's own go (`go list -deps ./...`, under the shims' environment), once
// with cgo on (CgoFiles are only listed then) and, when cgo is off here, once more with it off plus a compile of
// the non-standard cgo packages: that is what tells "no files left" and "undefined: C symbol" from "has a fallback".
import { join } from 'node:path';
import { err } from '../core/errors.js';
import { compare } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import { run } from '../core/process.js';
import { requireInstalled, resolveHere, toolEnv } from '../select/environment.js';

type WithoutCgo = 'builds' | 'dropped' | 'fails';
interface CgoPackage {
  importPath: string;
  standard: boolean;
  direct: boolean;
  cgoFiles: string[];
  via: string[];
  withoutCgo: WithoutCgo | null;
  error: string | null;
}
export interface CgoNote {
  id: string;
  package: string;
  level: 'info' | 'warn';
  text: string;
}
export interface CgoReport {
  schema: 1;
  dir: string;
  go: { version: string; root: string };
  goos: string;
  goarch: string;
  cgo: { enabled: boolean; source: 'environment' | 'project' | 'go default' };
  tags: string[];
  netdns: string | null;
  packages: CgoPackage[];
  breaks: string[];
  notes: CgoNote[];
}

interface Listed {
  ImportPath: string;
  Standard?: boolean;
  DepOnly?: boolean;
  CgoFiles?: string[];
  Imports?: string[];
  Error?: { Err: string };
  DepsErrors?: { Err: string }[];
}

const goFailed = (what: string, stderr: string) =>
  err(
    'E_GO_LIST',
    `${what} failed: ${stderr.trim().split('\n').slice(0, 5).join('\n') || 'no output'}`,
    'run goarm cgo inside a Go module whose packages load (`go list ./...` must work here)',
  );

// Full -json on purpose: with -json=<fields> (Go 1.19+) go skips work that its error messages need (Go 1.19 says
// "no Go files in " where the full run says "build constraints exclude all Go files in <dir>").
async function goList(go: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Listed[]> {
  const r = await run(go, ['list', '-e', '-deps', '-json', './...'], { env, cwd, timeoutMs: 600_000 });
  if (r.code !== 0) throw goFailed('go list -deps ./...', r.stderr);
  // go list prints one indented JSON object after another; each starts with "{" at the start of a line.
  const pkgs = r.stdout.trim()
    ? r.stdout
        .trim()
        .split(/\n(?=\{)/)
        .map((o) => JSON.parse(o) as Listed)
    : [];
  // -e reports a pattern that cannot match (no go.mod here) as a fake package named after the pattern.
  const bad = pkgs.find((p) => p.ImportPath === './...' && p.Error);
  if (bad) throw goFailed('go list -deps ./...', bad.Error!.Err);
  if (!pkgs.length)
    throw err('E_NO_PACKAGES', `no Go packages in ${cwd}`, 'run goarm cgo in a directory of a Go module');
  return pkgs;
}

const rank = (p: Listed) => (p.Standard ? 2 : p.DepOnly ? 1 : 0); // this module, dependencies, standard library

/** Shortest import chain from a package of the module (./...) to each package, root first. */
function chains(pkgs: Listed[]): Map<string, string[]> {
  const byPath = new Map(pkgs.map((p) => [p.ImportPath, p]));
  const via = new Map<string, string[]>();
  const queue = pkgs.filter((p) => !p.DepOnly).map((p) => p.ImportPath);
  for (const q of queue) via.set(q, [q]);
  for (let i = 0; i < queue.length; i++) {
    for (const imp of byPath.get(queue[i])?.Imports ?? []) {
      if (via.has(imp) || !byPath.has(imp)) continue;
      via.set(imp, [...via.get(queue[i])!, imp]);
      queue.push(imp);
    }
  }
  return via;
}

/** Packages whose compile fails with cgo off: `go build` prints "# <import path>" above each one's errors. */
async function compileFailures(
  go: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  pkgs: string[],
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (!pkgs.length) return failed;
  const r = await run(go, ['build', ...pkgs], { env, cwd, timeoutMs: 600_000 });
  if (r.code === 0) return failed;
  let current: string | undefined;
  for (const line of r.stderr.split('\n')) {
    const h = /^# (\S+)/.exec(line);
    if (h) current = h[1];
    else if (current && line.trim() && !failed.has(current)) failed.set(current, line.trim());
  }
  if (!failed.size) throw goFailed('go build (CGO_ENABLED=0)', r.stderr);
  return failed;
}

export async function analyzeCgo(home: Home, cwd: string, env: NodeJS.ProcessEnv): Promise<CgoReport> {
  const r = requireInstalled(await resolveHere(home, cwd, env));
  const root = r.root ?? home.version(r.version);
  const go = join(root, 'bin', 'go');
  const goEnv = toolEnv(home, r, env);
  const e = await run(go, ['env', '-json', 'CGO_ENABLED', 'GOOS', 'GOARCH', 'GOVERSION', 'GOFLAGS', 'GODEBUG'], {
    env: goEnv,
    cwd,
  });
  if (e.code !== 0) throw goFailed('go env', e.stderr);
  const ge = JSON.parse(e.stdout) as Record<string, string>;
  const enabled = ge.CGO_ENABLED === '1';
  const source =
    env.CGO_ENABLED !== undefined ? 'environment' : r.env.CGO_ENABLED !== undefined ? 'project' : 'go default';
  const version = (ge.GOVERSION || `go${r.version}`).replace(/^go/, '').split(/[\s-]/)[0];

  const on = await goList(go, { ...goEnv, CGO_ENABLED: '1' }, cwd);
  const via = chains(on);
  // runtime/cgo is cgo's own runtime, linked into every cgo binary: not a package that "uses" cgo.
  const users = on
    .filter((p) => p.CgoFiles?.length && p.ImportPath !== 'runtime/cgo')
    .sort((a, b) => rank(a) - rank(b) || a.ImportPath.localeCompare(b.ImportPath));
  const state = new Map<string, { w: WithoutCgo; error: string | null }>();
  if (!enabled) {
    const offEnv = { ...goEnv, CGO_ENABLED: '0' };
    const off = new Map((await goList(go, offEnv, cwd)).map((p) => [p.ImportPath, p]));
    for (const p of users) {
      const o = off.get(p.ImportPath);
      const why = o?.Error?.Err ?? o?.DepsErrors?.[0]?.Err;
      state.set(
        p.ImportPath,
        !o ? { w: 'dropped', error: null } : why ? { w: 'fails', error: why.trim() } : { w: 'builds', error: null },
      );
    }
    const candidates = users
      .filter((p) => !p.Standard && state.get(p.ImportPath)?.w === 'builds')
      .map((p) => p.ImportPath);
    for (const [pkg, first] of await compileFailures(go, offEnv, cwd, candidates))
      if (state.has(pkg)) state.set(pkg, { w: 'fails', error: first });
  }

  const packages: CgoPackage[] = users.map((p) => ({
    importPath: p.ImportPath,
    standard: Boolean(p.Standard),
    direct: !p.DepOnly,
    cgoFiles: p.CgoFiles ?? [],
    via: via.get(p.ImportPath) ?? [p.ImportPath],
    withoutCgo: state.get(p.ImportPath)?.w ?? null,
    error: state.get(p.ImportPath)?.error ?? null,
  }));
  const flags = (ge.GOFLAGS ?? '').split(/\s+/);
  const tags = flags
    .filter((f) => /^--?tags=/.test(f))
    .flatMap((f) => f.slice(f.indexOf('=') + 1).split(','))
    .filter(Boolean);
  const netdns = /(?:^|,)netdns=([^,]+)/.exec(goEnv.GODEBUG ?? '')?.[1] ?? null;
  const deps = new Set(on.map((p) => p.ImportPath));
  return {
    schema: 1,
    dir: cwd,
    go: { version, root },
    goos: ge.GOOS,
    goarch: ge.GOARCH,
    cgo: { enabled, source },
    tags,
    netdns,
    packages,
    breaks: packages.filter((p) => p.withoutCgo === 'fails').map((p) => p.importPath),
    notes: cgoNotes({ goos: ge.GOOS, version, cgo: enabled, tags, netdns, deps }),
  };
}

/**
 * What CGO_ENABLED=0 really changes, for the standard packages this module uses. Each note names the Go version
 * that changed the behaviour, so a team on an older Go sees why its experience differs.
 */
export function cgoNotes(s: {
  goos: string;
  version: string;
  cgo: boolean;
  tags: string[];
  netdns: string | null;
  deps: Set<string>;
}): CgoNote[] {
  const notes: CgoNote[] = [];
  const add = (id: string, pkg: string, level: CgoNote['level'], text: string) =>
    notes.push({ id, package: pkg, level, text });
  const v120 = compare(s.version, '1.20') >= 0;
  const darwin = s.goos === 'darwin';
  const pureDns = s.tags.includes('netgo') || /^go/.test(s.netdns ?? '');
  if (s.deps.has('net')) {
    if (pureDns)
      add(
        'net-pure-go',
        'net',
        darwin ? 'warn' : 'info',
        `${s.tags.includes('netgo') ? 'the netgo tag' : `GODEBUG=netdns=${s.netdns}`} selects Go's own DNS resolver, ` +
          `which reads /etc/hosts and /etc/resolv.conf only${
            darwin
              ? ': macOS per-domain resolvers (/etc/resolver/*) and VPN split DNS are bypassed. ' +
                'Since Go 1.20 macOS builds use the system resolver even with CGO_ENABLED=0, ' +
                'so netgo is not needed for a static build'
              : ''
          }`,
      );
    else if (darwin && !s.cgo && v120)
      add(
        'net-darwin-libsystem',
        'net',
        'info',
        'CGO_ENABLED=0 is fine for DNS on macOS: since Go 1.20 the net package calls the system resolver ' +
          'in libSystem without cgo, so /etc/resolver/* and VPN DNS keep working',
      );
    else if (darwin && !s.cgo)
      add(
        'net-darwin-pre-1.20',
        'net',
        'warn',
        `go${s.version} with CGO_ENABLED=0 on macOS uses Go's own resolver: ` +
          '/etc/resolver/* and VPN split DNS are ignored. ' +
          'Go 1.20 changed this (libSystem without cgo); upgrade, or keep cgo on',
      );
    else if (!s.cgo)
      add(
        'net-pure-go',
        'net',
        'info',
        "without cgo, net uses Go's own resolver: /etc/hosts, /etc/resolv.conf and the files/dns sources of " +
          "/etc/nsswitch.conf; other NSS modules (mdns, ldap, systemd's resolve) are not consulted",
      );
  }
  if (s.deps.has('os/user')) {
    if (s.tags.includes('osusergo'))
      add(
        'os-user-files',
        'os/user',
        darwin ? 'warn' : 'info',
        'the osusergo tag makes os/user parse /etc/passwd and /etc/group only: accounts from ' +
          `${darwin ? 'Open Directory (where macOS keeps real users)' : 'LDAP, SSSD or other NSS sources'} ` +
          'are not found',
      );
    else if (darwin && !s.cgo && v120)
      add(
        'os-user-darwin-libsystem',
        'os/user',
        'info',
        'since Go 1.20, os/user on macOS looks accounts up through libSystem without cgo: ' +
          'CGO_ENABLED=0 changes nothing',
      );
    else if (!s.cgo)
      add(
        'os-user-files',
        'os/user',
        darwin ? 'warn' : 'info',
        `without cgo${darwin ? ` (go${s.version} < 1.20)` : ''}, os/user parses /etc/passwd and /etc/group only: ` +
          `accounts from ${darwin ? 'Open Directory' : 'LDAP, SSSD or other NSS sources'} are not found`,
      );
  }
  if (!s.cgo && s.deps.has('time') && !s.deps.has('time/tzdata') && !s.tags.includes('timetzdata'))
    add(
      'time-zoneinfo',
      'time',
      'info',
      'time zones do not need cgo: time reads the system database (/usr/share/zoneinfo, or $ZONEINFO), ' +
        'then falls back to $GOROOT/lib/time/zoneinfo.zip of the Go that built the binary. ' +
        'That fallback is gone once that Go is removed (goarm uninstall/prune) or on a host without it ' +
        '(a scratch container): import _ "time/tzdata" (Go 1.15+) or build with -tags timetzdata to embed the database',
    );
  if (!s.cgo && s.deps.has('plugin'))
    add('plugin', 'plugin', 'warn', 'plugin needs cgo: built with CGO_ENABLED=0, plugin.Open always returns an error');
  return notes;
}

const SOURCE = {
  environment: 'CGO_ENABLED in the environment',
  project: 'cgo.enabled in .goarm.toml',
  'go default': "Go's default",
};
const WITHOUT: Record<WithoutCgo, string> = {
  builds: 'builds without cgo (it has non-cgo files to fall back on)',
  dropped: 'not imported at all without cgo',
  fails: 'FAILS without cgo',
};

export function renderCgo(r: CgoReport): string {
  const why =
    r.cgo.source === 'go default' && !r.cgo.enabled
      ? `${SOURCE[r.cgo.source]}: no C compiler found, or cross-compiling`
      : SOURCE[r.cgo.source];
  const lines = [
    `go${r.go.version} for ${r.goos}/${r.goarch} in ${r.dir}`,
    `cgo is ${r.cgo.enabled ? 'on' : 'off'} (${why})`,
    '',
  ];
  if (!r.packages.length) lines.push('no package here uses cgo, directly or through a dependency');
  else lines.push('packages that use cgo:');
  for (const p of r.packages) {
    const kind = p.standard ? 'standard library' : p.direct ? 'this module' : 'dependency';
    const state = p.withoutCgo ? ` — ${WITHOUT[p.withoutCgo]}${p.error ? `: ${p.error}` : ''}` : '';
    lines.push(`  ${p.importPath} (${kind}; ${p.cgoFiles.join(', ')})${state}`);
    if (p.via.length > 1) lines.push(`      via ${p.via.join(' → ')}`);
  }
  if (r.breaks.length)
    lines.push(
      '',
      `cgo is off here, but ${r.breaks.join(', ')} need${r.breaks.length > 1 ? '' : 's'} it: the build breaks`,
    );
  if (r.notes.length)
    lines.push(
      '',
      'what CGO_ENABLED=0 changes here:',
      ...r.notes.map((n) => `  ${n.level === 'warn' ? 'WARN ' : ''}${n.package}: ${n.text}`),
    );
  return lines.join('\n');
}
