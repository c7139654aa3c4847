// Go's vulnerability database (vuln.go.dev layout: index/db.json, index/modules.json, ID/<id>.json), reduced to
// the OSV entries of the `stdlib` and `toolchain` modules and cached in one file under GOARM_HOME. Within the TTL
// the cache is used as it is; after it, db.json is revalidated (ETag, then its `modified`), and only entries whose
// `modified` changed are fetched again. Unreachable: the cache, with a warning. Never loaded by a shim.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoarmError } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { displayUrl } from '../install/url.js';

/** The fields of an OSV entry goarm reads (golang.org/x/vuln's osv.Entry). */
export interface OsvEntry {
  id: string;
  modified: string;
  aliases?: string[];
  summary?: string;
  affected: {
    package: { name: string; ecosystem?: string };
    ranges?: { type: string; events: { introduced?: string; fixed?: string }[] }[];
    ecosystem_specific?: { imports?: { path: string; symbols?: string[] }[] };
  }[];
}
export interface VulnDb {
  url: string;
  fetchedAt: string;
  modified: string;
  etag?: string;
  entries: OsvEntry[];
  fromCache: boolean;
}

const MODULES = ['stdlib', 'toolchain'];
const TTL_MS = () => Number(process.env.GOARM_VULNDB_TTL_SECONDS ?? 6 * 3600) * 1000;

async function readCache(home: Home): Promise<Omit<VulnDb, 'fromCache'> | undefined> {
  try {
    const c = JSON.parse(readFileSync(home.vulnCache, 'utf8')); // sync: `goarm current` reads it (light)
    return typeof c.url === 'string' && Array.isArray(c.entries) ? c : undefined;
  } catch {
    return undefined;
  }
}

// Size caps near reality: db.json is ~100 bytes, modules.json ~2 MiB (every Go module with a report), an entry a
// few KiB.
const SMALL = 16 * 1024;
const MIB = 1024 * 1024;

const parseJson = (text: string, what: string) => {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
};

/** Fetches what changed since `cached` (or everything); returns undefined when db.json says nothing changed. */
async function refresh(base: string, cached: Omit<VulnDb, 'fromCache'> | undefined) {
  const { getText } = await import('../install/http.js'); // only when the cache will not do
  const db = await getText(base + 'index/db.json', { etag: cached?.etag, attempts: 2, maxBytes: SMALL });
  if (db.status === 304) return undefined;
  const modified = String(parseJson(db.body, 'index/db.json').modified ?? '');
  if (cached && modified && modified === cached.modified) return { ...cached, etag: db.etag };
  const modules = parseJson(
    (await getText(base + 'index/modules.json', { attempts: 2, maxBytes: 64 * MIB })).body,
    'index/modules.json',
  );
  if (!Array.isArray(modules)) throw new Error('index/modules.json is not a list');
  const have = new Map((cached?.entries ?? []).map((e) => [e.id, e]));
  const wanted = new Map<string, string>(); // id → modified; the id becomes a path, so it must look like one
  for (const m of modules.filter((m) => MODULES.includes(m?.path)))
    for (const v of m.vulns ?? [])
      if (typeof v?.id === 'string' && /^[A-Z]+-[0-9]{4}-[0-9]+$/.test(v.id)) wanted.set(v.id, String(v.modified));
  const ids = [...wanted.keys()];
  const entries: OsvEntry[] = new Array(ids.length);
  // A first fetch is a few hundred small files: 8 at a time.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const old = have.get(ids[i]);
      entries[i] =
        old && old.modified === wanted.get(ids[i])
          ? old
          : parseJson(
              (await getText(`${base}ID/${ids[i]}.json`, { attempts: 2, maxBytes: MIB })).body,
              `ID/${ids[i]}.json`,
            );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { url: displayUrl(base), fetchedAt: '', modified, etag: db.etag, entries };
}

/**
 * The database, fresh within the TTL. Never throws for the network: without any copy it returns undefined and
 * warns, because vulnerability data is advice and must not stop a command that could otherwise run.
 */
export async function loadVulnDb(
  home: Home,
  url: string,
  warn: (msg: string) => void,
  opts: { refresh?: boolean; cacheOnly?: boolean } = {},
): Promise<VulnDb | undefined> {
  const base = url.endsWith('/') ? url : url + '/';
  const c = await readCache(home);
  const cached = c?.url === displayUrl(base) ? c : undefined;
  // cacheOnly (`goarm current`, a light command): whatever the cache holds, however old; never the network.
  if (cached && !opts.refresh && (opts.cacheOnly || Date.now() - Date.parse(cached.fetchedAt) < TTL_MS()))
    return { ...cached, fromCache: true };
  if (opts.cacheOnly) return undefined;
  try {
    const next = (await refresh(base, cached)) ?? cached!;
    const entry = { ...next, fetchedAt: new Date().toISOString() };
    await atomicWrite(home.vulnCache, JSON.stringify(entry), { what: 'caching the vulnerability database' });
    return { ...entry, fromCache: false };
  } catch (e) {
    const why = e instanceof GoarmError || e instanceof Error ? e.message : String(e);
    if (cached) {
      warn(`note: cannot update the vulnerability database (${why}); using the copy from ${cached.fetchedAt}`);
      return { ...cached, fromCache: true };
    }
    warn(`note: no vulnerability data: cannot reach ${displayUrl(base)} (${why}); set vulndb_url for a mirror`);
    return undefined;
  }
}

/**
 * `goarm mirror sync`: the database (stdlib and toolchain entries) in vuln.go.dev's layout under `dir`, so an
 * air-gapped machine points vulndb_url at it. Returns how many entries were written, or undefined if none were had.
 */
export async function publishVulnDb(
  home: Home,
  url: string,
  dir: string,
  warn: (msg: string) => void,
): Promise<number | undefined> {
  const db = await loadVulnDb(home, url, warn, { refresh: true });
  if (!db) return undefined;
  for (const e of db.entries) await atomicWrite(join(dir, 'ID', `${e.id}.json`), JSON.stringify(e));
  const modules = MODULES.map((path) => ({
    path,
    vulns: db.entries
      .filter((e) => e.affected.some((a) => a.package?.name === path))
      .map((e) => ({ id: e.id, modified: e.modified })),
  })).filter((m) => m.vulns.length);
  await atomicWrite(join(dir, 'index', 'modules.json'), JSON.stringify(modules));
  await atomicWrite(join(dir, 'index', 'db.json'), JSON.stringify({ modified: db.modified }));
  return db.entries.length;
}
