// The release index (go.dev/dl/?mode=json&include=all shape), cached under GOARM_HOME (fresh for INDEX_TTL, then
// revalidated with ETag / Last-Modified), and the rules that turn a user's spec into one release and one file.
// http.ts (undici) is imported only when the network is needed: a fresh cache answers without it.
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { err, GoarmError } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import { compare, isPrerelease, normalize } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import { displayUrl, isFileUrl } from './url.js';

export interface ReleaseFile {
  filename: string;
  os: string;
  arch: string;
  version: string;
  sha256: string;
  size: number;
  kind: string;
}
export interface Release {
  version: string;
  stable: boolean;
  files: ReleaseFile[];
}
export interface Index {
  versions: { version: string; stable: boolean }[]; // newest first
  releases: Release[]; // newest first
  fromCache: boolean;
  fetchedAt: string;
}

const invalid = (url: string, why: string) =>
  err(
    'E_INDEX_INVALID',
    `the release index at ${url} is malformed: ${why}`,
    'check index_url in config.toml; it must serve the go.dev/dl JSON shape',
  );

/** Validates the index strictly: its filenames become paths and its hashes are our root of trust. */
export function parseIndex(text: string, url: string): Release[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(url, (e as Error).message);
  }
  if (!Array.isArray(raw)) throw invalid(url, 'expected a JSON array of releases');
  const releases = raw.map((r: any, i): Release => {
    const version = typeof r?.version === 'string' ? normalize(r.version) : undefined;
    if (!version || !Array.isArray(r.files)) throw invalid(url, `entry ${i} has no valid "version" and "files"`);
    const files = r.files.map((f: any): ReleaseFile => {
      const ok =
        typeof f?.filename === 'string' &&
        /^go[0-9A-Za-z._-]+$/.test(f.filename) &&
        !f.filename.includes('..') &&
        typeof f.sha256 === 'string' &&
        /^[0-9a-f]{64}$/i.test(f.sha256) &&
        Number.isSafeInteger(f.size) &&
        f.size >= 0;
      if (!ok) throw invalid(url, `a file of ${r.version} has a bad filename, sha256 or size`);
      return {
        filename: f.filename,
        os: String(f.os ?? ''),
        arch: String(f.arch ?? ''),
        version,
        sha256: f.sha256.toLowerCase(),
        size: f.size,
        kind: String(f.kind ?? ''),
      };
    });
    return { version, stable: r.stable === true, files };
  });
  return releases.sort((a, b) => compare(b.version, a.version));
}

// The cache (home.indexCache) is two JSON lines: a header (the URL without userinfo, so no credential is ever
// written; the validators; the versions alone) and the releases as parseIndex returned them. `ls-remote` and tab
// completion read the header only, and nothing re-validates what was validated before it was written (atomically).
// The file's mtime is when the server last confirmed it (fetched, or answered 304).
interface CacheHeader {
  url: string;
  etag?: string;
  lastModified?: string;
  fetchedAt: string;
  versions: [string, boolean][]; // newest first, with `stable`
}
type Cached = CacheHeader & { checkedMs: number; releases: () => Release[] };

/** How long a cached index is used without asking the server: GOARM_INDEX_TTL seconds, default 10 minutes. */
function indexTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.GOARM_INDEX_TTL);
  return env.GOARM_INDEX_TTL !== undefined && env.GOARM_INDEX_TTL !== '' && s >= 0 ? s * 1000 : 600_000;
}

async function readCache(home: Home): Promise<Cached | undefined> {
  try {
    const [buf, st] = [readFileSync(home.indexCache), statSync(home.indexCache)];
    const nl = buf.indexOf(10);
    const h = nl > 0 ? (JSON.parse(buf.toString('utf8', 0, nl)) as CacheHeader) : undefined;
    if (typeof h?.url !== 'string' || !Array.isArray(h.versions)) return undefined;
    const releases = () => {
      try {
        return JSON.parse(buf.toString('utf8', nl + 1)) as Release[];
      } catch {
        throw err(
          'E_INDEX_INVALID',
          `the cached release index ${home.indexCache} is damaged`,
          'run `goarm ls-remote --refresh`',
        );
      }
    };
    return { ...h, checkedMs: st.mtimeMs, releases };
  } catch {
    return undefined; // no usable cache
  }
}

/** An Index whose releases are parsed only when asked for: `ls-remote` without --json needs the versions alone. */
function fromCache(c: Cached): Index {
  let releases: Release[] | undefined;
  return {
    versions: c.versions.map(([version, stable]) => ({ version, stable })),
    get releases() {
      releases ??= c.releases();
      return releases;
    },
    fromCache: true,
    fetchedAt: c.fetchedAt,
  };
}

const fresh = (releases: Release[], fetchedAt: string): Index => ({
  versions: releases.map((r) => ({ version: r.version, stable: r.stable })),
  releases,
  fromCache: false,
  fetchedAt,
});

/** The index as last fetched, from whichever index_url it came: the hashes for an offline `install --file`. */
export async function cachedIndex(home: Home): Promise<(Index & { url: string }) | undefined> {
  const c = await readCache(home);
  return c && Object.assign(fromCache(c), { url: c.url });
}

/** The versions in the cached index, newest first ([] without a usable cache): tab completion, offline. */
export const cachedVersions = async (home: Home): Promise<string[]> =>
  (await readCache(home))?.versions.map(([v]) => v) ?? [];

/** Fetches and parses an index without touching the cache (an index named on the command line). */
export async function fetchIndex(url: string): Promise<Index> {
  const { getText, MAX_INDEX } = await import('./http.js');
  return fresh(
    parseIndex((await getText(url, { maxBytes: MAX_INDEX })).body, displayUrl(url)),
    new Date().toISOString(),
  );
}

/**
 * The index: the cached copy while it is fresh (INDEX_TTL, unless `refresh`), else fetched, revalidating the cache
 * with its ETag / Last-Modified (304 reuses it and restarts its TTL). When the network fails, falls back to the
 * cache and says so. A file: index (a synced mirror directory) is read as it is and not cached.
 */
export async function loadIndex(
  home: Home,
  indexUrl: string,
  warn: (msg: string) => void,
  opts: { refresh?: boolean } = {},
): Promise<Index> {
  const shown = displayUrl(indexUrl);
  if (isFileUrl(indexUrl)) return fetchIndex(indexUrl);
  const c = await readCache(home);
  const cached = c?.url === shown ? c : undefined;
  const age = cached ? Date.now() - cached.checkedMs : Infinity;
  if (cached && !opts.refresh && age >= 0 && age < indexTtlMs()) return fromCache(cached);
  const { getText, isNotFound, MAX_INDEX } = await import('./http.js');
  let res;
  try {
    res = await getText(indexUrl, { etag: cached?.etag, lastModified: cached?.lastModified, maxBytes: MAX_INDEX });
  } catch (e) {
    if (!cached || !(e instanceof GoarmError) || isNotFound(e)) throw e;
    warn(`cannot reach the release index (${e.message}); using the copy cached at ${cached.fetchedAt}`);
    return fromCache(cached);
  }
  if (res.status === 304 && cached) {
    const now = new Date();
    try {
      utimesSync(home.indexCache, now, now); // confirmed current: fresh again
    } catch {
      // not fatal: the copy is only asked for again sooner
    }
    return fromCache(cached);
  }
  const releases = parseIndex(res.body, shown);
  return fresh(releases, await writeIndexCache(home, shown, releases, res));
}

/** Caches validated releases (newest first) as fetched from url (without userinfo); returns when, as fetchedAt. */
export async function writeIndexCache(
  home: Home,
  url: string,
  releases: Release[],
  validators: { etag?: string; lastModified?: string } = {},
): Promise<string> {
  const { etag, lastModified } = validators;
  const fetchedAt = new Date().toISOString();
  const header: CacheHeader = {
    url,
    etag,
    lastModified,
    fetchedAt,
    versions: releases.map((r) => [r.version, r.stable]),
  };
  const text = `${JSON.stringify(header)}\n${JSON.stringify(releases)}\n`;
  await atomicWrite(home.indexCache, text, { what: 'caching the release index' });
  return fetchedAt;
}

/**
 * A spec names one release: `latest`/`stable`, an exact version (`1.23.4`, `go1.23.4`, `1.24rc1`),
 * or a minor line (`1.23`).
 */
export function parseSpec(input: string): { kind: 'latest' } | { kind: 'exact' | 'line'; version: string } {
  const s = input.trim();
  if (s === 'latest' || s === 'stable') return { kind: 'latest' };
  const v = normalize(s);
  if (!v)
    throw err(
      'E_BAD_SPEC',
      `${JSON.stringify(input.slice(0, 64))} is not a Go version`,
      'use e.g. 1.23, 1.23.4, go1.23.4, 1.24rc1 or latest',
    );
  // "1.23" is a language version: it means the newest release of that line. "1.20" before 1.21 means the same.
  return /^\d+\.\d+$/.test(v) ? { kind: 'line', version: v } : { kind: 'exact', version: v };
}

/** Picks the release a spec means. Prereleases are chosen only when named exactly. */
export function resolveSpec(input: string, releases: Release[]): Release {
  const spec = parseSpec(input);
  const sorted = [...releases].sort((a, b) => compare(b.version, a.version));
  const found =
    spec.kind === 'latest'
      ? sorted.find((r) => r.stable && !isPrerelease(r.version))
      : spec.kind === 'exact'
        ? sorted.find((r) => r.version === spec.version)
        : sorted.find(
            (r) => !isPrerelease(r.version) && (r.version === spec.version || r.version.startsWith(spec.version + '.')),
          );
  if (found) return found;
  const near = nearest(
    spec.kind === 'latest' ? '' : spec.version,
    sorted.map((r) => r.version),
  );
  throw err(
    'E_UNKNOWN_VERSION',
    `no Go release matches "${input}"`,
    near.length
      ? `nearest releases: ${near.join(', ')} (see \`goarm ls-remote --all\`)`
      : 'see `goarm ls-remote --all`',
  );
}

function nearest(v: string, all: string[]): string[] {
  const line = v.split('.').slice(0, 2).join('.');
  const same = all.filter(
    (x) => x === line || x.startsWith(line + '.') || x.startsWith(line + 'rc') || x.startsWith(line + 'beta'),
  );
  return (same.length ? same : all.filter((x) => x.startsWith(v.split('.')[0] + '.'))).slice(0, 5);
}

export function pickFile(release: Release, os: string, arch: string): ReleaseFile {
  const file = release.files.find(
    (f) => f.kind === 'archive' && f.os === os && f.arch === arch && f.filename.endsWith('.tar.gz'),
  );
  if (file) return file;
  const have = release.files.filter((f) => f.kind === 'archive').map((f) => `${f.os}/${f.arch}`);
  throw err(
    'E_NO_FILE',
    `go${release.version} has no archive for ${os}/${arch}`,
    have.length ? `available: ${[...new Set(have)].join(', ')}` : 'this release has no binary archives',
  );
}

/** The index entry for an archive file name, e.g. go1.23.4.darwin-arm64.tar.gz. */
export function findFile(releases: Release[], filename: string): ReleaseFile | undefined {
  for (const r of releases) for (const f of r.files) if (f.filename === filename) return f;
  return undefined;
}

/** Releases back in the official JSON shape (newest first, "go" prefixes), as `goarm mirror sync` publishes them. */
export function formatIndex(releases: Release[]): string {
  const sorted = [...releases].sort((a, b) => compare(b.version, a.version));
  return (
    JSON.stringify(
      sorted.map((r) => ({
        version: `go${r.version}`,
        stable: r.stable,
        files: r.files.map((f) => ({
          filename: f.filename,
          os: f.os,
          arch: f.arch,
          version: `go${f.version}`,
          sha256: f.sha256,
          size: f.size,
          kind: f.kind,
        })),
      })),
      null,
      1,
    ) + '\n'
  );
}
