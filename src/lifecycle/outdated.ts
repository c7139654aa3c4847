// `goarm outdated`: for every installed version, the global default and the pins of the projects goarm has seen
// (as `goarm prune` finds them), the newest patch of the same minor, whether that minor is still supported, and the
// known vulnerabilities of the version in question.
import { dirname } from 'node:path';
import { compare, isPrerelease } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import { host } from '../core/platform.js';
import { seenDirs } from '../install/prune.js';
import type { Release } from '../install/release-index.js';
import { listInstalled } from '../install/versions.js';
import type { GlobalConfig } from '../select/config.js';
import { pickInstalled, type Resolution, resolveDir } from '../select/resolve.js';
import { findSystemGo } from '../select/system.js';
import { listTrusted } from '../select/trust.js';
import { type Support, supportOf } from './support.js';
import type { OsvEntry } from './vulndb.js';
import { type VulnReport, vulnsOf } from './vulns.js';

export interface Pin {
  dir: string;
  file: string;
  line?: number;
  kind: Resolution['source']['kind'];
  spec: string;
  version?: string;
}
export interface OutdatedRow {
  kind: 'installed' | 'default' | 'project';
  /** the installed name, `default`, or the pin's file:line */
  where: string;
  spec?: string;
  /** the version in question: installed, or what the spec resolves to (the spec itself when exact) */
  version?: string;
  newest?: string;
  behind: boolean;
  support?: Support;
  vulns?: VulnReport;
}

const EXACT = /^\d+\.\d+\.\d+$|^\d+\.\d+(?:\.\d+)?[a-z]+\d*$/;
export const isExact = (spec: string) => EXACT.test(spec);

/** Version pins in the project files of every directory goarm has seen (shim or hook caches, trusted files). */
export async function projectPins(home: Home, global: GlobalConfig, env: NodeJS.ProcessEnv): Promise<Pin[]> {
  const { GOARM_VERSION: _, ...dirEnv } = env;
  const installed = (await listInstalled(home)).filter((i) => !i.platform).map((i) => i.version);
  const dirs = new Set((await seenDirs(home)).map((s) => s.dir));
  for (const t of await listTrusted(home)) dirs.add(dirname(t.path));
  const pins = new Map<string, Pin>();
  for (const dir of dirs) {
    const r = await resolveDir(dir, { home, env: dirEnv, installed, global, hostArch: host(env).arch }).catch(
      () => undefined, // a vanished directory or a broken file: `goarm doctor` reports those
    );
    const s = r?.source;
    if (!r || !s?.file || s.kind === 'default' || s.kind === 'go.mod go' || pins.has(s.file)) continue;
    const version = r.version === 'system' ? r.systemVersion : r.version; // the go on PATH: judged like any other
    pins.set(s.file, { dir, file: s.file, line: s.line, kind: s.kind, spec: r.spec, version });
  }
  return [...pins.values()].sort((a, b) => a.file.localeCompare(b.file));
}

export async function outdated(
  home: Home,
  global: GlobalConfig,
  releases: Release[],
  entries: OsvEntry[] | undefined,
  env: NodeJS.ProcessEnv,
): Promise<OutdatedRow[]> {
  const all = await listInstalled(home);
  const native = all.filter((i) => !i.platform).map((i) => i.version);
  const row = (kind: OutdatedRow['kind'], where: string, version: string | undefined, spec?: string) => {
    if (!version || isPrerelease(version)) return { kind, where, spec, version, behind: false };
    const support = supportOf(version, releases);
    const newest = support.newest;
    const behind = (newest !== undefined && compare(version, newest) < 0) || !support.supported;
    return { kind, where, spec, version, newest, behind, support, vulns: entries && vulnsOf(version, entries) };
  };
  const rows: OutdatedRow[] = all.map((i) => row('installed', i.name, i.version));
  if (global.default) {
    const spec = global.default;
    const version =
      spec === 'system' ? (await findSystemGo(home, env))?.version : isExact(spec) ? spec : pickInstalled(spec, native);
    rows.push(row('default', 'default', version, spec));
  }
  for (const p of await projectPins(home, global, env))
    rows.push(row('project', `${p.file}${p.line ? `:${p.line}` : ''}`, isExact(p.spec) ? p.spec : p.version, p.spec));
  return rows;
}
