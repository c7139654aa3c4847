// Which known vulnerabilities affect a Go release, and which patch of its own minor fixes them all. The database
// speaks semver (go1.22.1 is 1.22.1, go1.21rc2 is 1.21.0-rc.2, "1.22.0-0" the lowest prerelease of 1.22.0); an
// OSV SEMVER range is a list of introduced/fixed events, and a version inside any [introduced, fixed) is affected.
import { parse } from '../core/goversion.js';
import type { OsvEntry } from './vulndb.js';

/** go1.22.1 → 1.22.1, 1.21rc2 → 1.21.0-rc.2 (golang.org/x/vuln's GoTagToSemver, without the "v"). */
export function goToSemver(v: string): string {
  const p = parse(v);
  return `${p.major}.${p.minor}.${p.patch || '0'}${p.kind ? `-${p.kind}.${p.pre || '0'}` : ''}`;
}

/** The reverse, for messages: 1.22.12 → 1.22.12, 1.21.0-rc.2 → 1.21rc2. */
export function semverToGo(s: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([a-z]+)\.?(\d*))?$/.exec(s);
  if (!m) return s;
  return m[4] ? `${m[1]}.${m[2]}${m[4]}${m[5]}` : `${m[1]}.${m[2]}.${m[3]}`;
}

/** Semver precedence (semver.org §11); "0" is below everything, as OSV's introduced "0" means. */
export function compareSemver(a: string, b: string): number {
  const split = (s: string) => {
    const [core, ...pre] = s.replace(/^v/, '').split('-');
    return { nums: core.split('.').map(Number), pre: pre.length ? pre.join('-').split('.') : [] };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (!x.pre.length || !y.pre.length) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const [np, nq] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (np && nq) return Number(p) - Number(q);
    if (np !== nq) return np ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

interface Vuln {
  id: string;
  aliases: string[];
  summary: string;
  module: string;
  packages: string[];
  /** the first release that fixes it after this version, as a Go version; undefined if none is known */
  fixed?: string;
}
export interface VulnReport {
  version: string;
  count: number;
  ids: string[];
  /** the oldest patch of the same minor that fixes all of them; undefined when the minor has no such patch */
  fixedIn?: string;
  vulns: Vuln[];
}

export function vulnsOf(version: string, entries: OsvEntry[]): VulnReport {
  const v = goToSemver(version);
  const { major, minor } = parse(version);
  const vulns: Vuln[] = [];
  for (const e of entries)
    for (const a of e.affected ?? []) {
      if (!['stdlib', 'toolchain'].includes(a.package?.name)) continue;
      const fixes: string[] = [];
      let hit = false;
      for (const r of (a.ranges ?? []).filter((r) => r.type === 'SEMVER')) {
        let from: string | undefined;
        for (const ev of r.events ?? []) {
          if (ev.introduced !== undefined) from = ev.introduced;
          else if (ev.fixed !== undefined) {
            if (compareSemver(ev.fixed, v) > 0) fixes.push(ev.fixed);
            if (from !== undefined && compareSemver(v, from) >= 0 && compareSemver(v, ev.fixed) < 0) hit = true;
            from = undefined;
          }
        }
        if (from !== undefined && compareSemver(v, from) >= 0) hit = true; // introduced, never fixed
      }
      if (!hit || vulns.some((x) => x.id === e.id)) continue;
      const fixed = fixes.sort(compareSemver)[0];
      vulns.push({
        id: e.id,
        aliases: e.aliases ?? [],
        summary: e.summary ?? '',
        module: a.package.name,
        packages: (a.ecosystem_specific?.imports ?? []).map((i) => i.path),
        fixed: fixed && semverToGo(fixed),
      });
    }
  vulns.sort((a, b) => (a.id < b.id ? 1 : -1)); // newest IDs first
  const sameLine = (f?: string) => f !== undefined && parse(f).major === major && parse(f).minor === minor;
  const fixedIn = vulns.every((x) => sameLine(x.fixed))
    ? vulns.map((x) => x.fixed!).sort((a, b) => compareSemver(goToSemver(b), goToSemver(a)))[0]
    : undefined;
  return { version, count: vulns.length, ids: vulns.map((x) => x.id), fixedIn, vulns };
}

/** `go1.22.1: 14 known vulnerabilities (GO-2024-2687, …), fixed in go1.22.12 — run: goarm upgrade 1.22` */
export function describeVulns(r: VulnReport, max = 3): string {
  const ids = r.ids.slice(0, max).join(', ') + (r.ids.length > max ? ', …' : '');
  const { major, minor } = parse(r.version);
  const n = `${r.count} known vulnerabilit${r.count === 1 ? 'y' : 'ies'}`;
  const fix = r.fixedIn
    ? `fixed in go${r.fixedIn} — run: goarm upgrade ${major}.${minor}`
    : `not all fixed in go${major}.${minor}: move to a supported minor (goarm install latest)`;
  return `go${r.version}: ${n} (${ids}), ${fix}`;
}
