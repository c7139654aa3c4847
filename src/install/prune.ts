// `goarm prune`: which installed versions nothing needs any more. A version is KEPT when it is
//   - the newest patch of its minor (per platform: 1.23.4 keeps, 1.23.1 goes; a cross-install is its own line),
//   - what the global default resolves to, or what GOARM_VERSION names in this shell,
//   - what a project goarm has seen resolves to. "Seen" = every directory a shim or the cd hook resolved (each
//     has a cache under cache/resolve/) and every trusted .goarm.toml. For each, both the version its cache
//     recorded and what the directory resolves to now are kept, so an edit since then never costs a version.
// Everything else is removed (with its install manifest), and only after a dry run and a question (see command).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compare, parse } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import { host } from '../core/platform.js';
import { loadGlobalConfig } from '../select/config.js';
import { pickInstalled, resolveDir } from '../select/resolve.js';
import { listTrusted } from '../select/trust.js';
import { walkTree } from './manifest.js';
import { type Installed, listInstalled } from './versions.js';

interface Reason {
  kind: 'newest-patch' | 'default' | 'shell' | 'project';
  detail: string;
}
export interface PruneEntry {
  name: string;
  bytes: number;
  reasons: Reason[];
}
export interface PrunePlan {
  keep: PruneEntry[];
  remove: PruneEntry[];
}

const CACHE_NAME = '.goarm-shim-cache';

/** Directories with a shim resolve cache, and the Go root each cache chose (when it chose one). */
export async function seenDirs(home: Home): Promise<{ dir: string; root?: string }[]> {
  const out: { dir: string; root?: string }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name === CACHE_NAME) {
        // _goarm_root='<path>' as q() in shims.ts writes it ('\'' for a quote inside).
        const m = /^_goarm_root='((?:[^']|'\\'')*)'$/m.exec(await readFile(p, 'utf8').catch(() => ''));
        out.push({ dir: d.slice(home.resolveCache.length) || '/', root: m?.[1].replace(/'\\''/g, "'") });
      }
    }
  };
  await walk(home.resolveCache);
  return out;
}

export async function size(root: string): Promise<number> {
  return (await walkTree(root).catch(() => [])).reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
}

export async function planPrune(home: Home, env: NodeJS.ProcessEnv): Promise<PrunePlan> {
  const installed = await listInstalled(home);
  const native = installed.filter((i) => !i.platform).map((i) => i.version);
  const global = await loadGlobalConfig(home, env);
  const reasons = new Map<string, Reason[]>(installed.map((i) => [i.name, []]));
  const because = (name: string | undefined, r: Reason) => {
    const list = name === undefined ? undefined : reasons.get(name);
    if (list && !list.some((x) => x.kind === r.kind && x.detail === r.detail)) list.push(r);
  };

  const newest = new Map<string, Installed>();
  for (const i of installed) {
    const v = parse(i.version);
    const line = `${i.platform ?? ''}|${v.major}.${v.minor}`;
    const best = newest.get(line);
    if (!best || compare(i.version, best.version) > 0) newest.set(line, i);
  }
  for (const [line, i] of newest)
    because(i.name, {
      kind: 'newest-patch',
      detail: `newest go${line.split('|')[1]}${i.platform ? ` for ${i.platform}` : ''}`,
    });

  if (global.default)
    because(pickInstalled(global.default, native), {
      kind: 'default',
      detail: `the global default (${global.default})`,
    });
  if (env.GOARM_VERSION)
    because(env.GOARM_VERSION, { kind: 'shell', detail: 'GOARM_VERSION in this shell (goarm use)' });

  const { GOARM_VERSION: _, ...dirEnv } = env;
  const dirs = new Map<string, string | undefined>();
  for (const s of await seenDirs(home)) dirs.set(s.dir, s.root);
  for (const t of await listTrusted(home)) if (!dirs.has(dirname(t.path))) dirs.set(dirname(t.path), undefined);
  for (const [dir, root] of dirs) {
    if (root && dirname(root) === home.versions) because(basename(root), { kind: 'project', detail: dir });
    if (
      !(await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      continue;
    try {
      const r = await resolveDir(dir, { home, env: dirEnv, installed: native, global, hostArch: host(env).arch });
      because(r.version, { kind: 'project', detail: dir });
    } catch {
      /* a broken project file: its cached version above still counts */
    }
  }

  const plan: PrunePlan = { keep: [], remove: [] };
  for (const i of installed) {
    const r = reasons.get(i.name)!;
    (r.length ? plan.keep : plan.remove).push({ name: i.name, bytes: await size(i.path), reasons: r });
  }
  return plan;
}

const REASON: Record<Reason['kind'], string> = { 'newest-patch': '', default: '', shell: '', project: 'used in ' };
export const describeReasons = (e: PruneEntry) => e.reasons.map((r) => REASON[r.kind] + r.detail).join('; ');
export const humanSize = (bytes: number) =>
  bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${Math.round(bytes / 2 ** 20)} MB`;
