// The release index (go.dev/dl/?mode=json&include=all shape), cached under GOARM_HOME with ETag revalidation,
// and the rules that turn a user's spec into one release and one file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExitCode, GoarmError, err } from './errors.js';
import { compare, isPrerelease, normalize } from './goversion.js';
import type { Home } from './home.js';
import { getText } from './http.js';

export interface ReleaseFile { filename: string; os: string; arch: string; version: string; sha256: string; size: number; kind: string }
export interface Release { version: string; stable: boolean; files: ReleaseFile[] }
export interface Index { releases: Release[]; fromCache: boolean; fetchedAt: string }

const invalid = (url: string, why: string) =>
  err('E_INDEX_INVALID', ExitCode.NETWORK, `the release index at ${url} is malformed: ${why}`, 'check index_url in config.toml; it must serve the go.dev/dl JSON shape');

/** Validates the index strictly: its filenames become paths and its hashes are our root of trust. */
export function parseIndex(text: string, url: string): Release[] {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw invalid(url, (e as Error).message); }
  if (!Array.isArray(raw)) throw invalid(url, 'expected a JSON array of releases');
  const releases = raw.map((r: any, i): Release => {
    const version = typeof r?.version === 'string' ? normalize(r.version) : undefined;
    if (!version || !Array.isArray(r.files)) throw invalid(url, `entry ${i} has no valid "version" and "files"`);
    const files = r.files.map((f: any): ReleaseFile => {
      const ok = typeof f?.filename === 'string' && /^go[0-9A-Za-z._-]+$/.test(f.filename) && !f.filename.includes('..')
        && typeof f.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(f.sha256) && Number.isSafeInteger(f.size) && f.size >= 0;
      if (!ok) throw invalid(url, `a file of ${r.version} has a bad filename, sha256 or size`);
      return { filename: f.filename, os: String(f.os ?? ''), arch: String(f.arch ?? ''), version, sha256: f.sha256.toLowerCase(), size: f.size, kind: String(f.kind ?? '') };
    });
    return { version, stable: r.stable === true, files };
  });
  return releases.sort((a, b) => compare(b.version, a.version));
}

interface CacheFile { url: string; etag?: string; fetchedAt: string; body: string }

/** Fetches the index (304 reuses the cache); when the network fails, falls back to the cache and says so. */
export async function loadIndex(home: Home, indexUrl: string, warn: (msg: string) => void): Promise<Index> {
  let cached: CacheFile | undefined;
  try {
    const c = JSON.parse(await readFile(home.indexCache, 'utf8')) as CacheFile;
    if (c.url === indexUrl && typeof c.body === 'string') cached = c;
  } catch { /* no usable cache */ }
  let res;
  try {
    res = await getText(indexUrl, { etag: cached?.etag });
  } catch (e) {
    if (!cached || !(e instanceof GoarmError) || e.code === 'E_HTTP_404') throw e;
    warn(`cannot reach the release index (${e.message}); using the copy cached at ${cached.fetchedAt}`);
    return { releases: parseIndex(cached.body, indexUrl), fromCache: true, fetchedAt: cached.fetchedAt };
  }
  if (res.status === 304 && cached) return { releases: parseIndex(cached.body, indexUrl), fromCache: true, fetchedAt: cached.fetchedAt };
  const releases = parseIndex(res.body, indexUrl);
  const entry: CacheFile = { url: indexUrl, etag: res.etag, fetchedAt: new Date().toISOString(), body: res.body };
  await mkdir(dirname(home.indexCache), { recursive: true });
  const tmp = `${home.indexCache}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(entry));
  await rename(tmp, home.indexCache);
  return { releases, fromCache: false, fetchedAt: entry.fetchedAt };
}

/** A spec names one release: `latest`/`stable`, an exact version (`1.23.4`, `go1.23.4`, `1.24rc1`), or a minor line (`1.23`). */
export function parseSpec(input: string): { kind: 'latest' } | { kind: 'exact' | 'line'; version: string } {
  const s = input.trim();
  if (s === 'latest' || s === 'stable') return { kind: 'latest' };
  const v = normalize(s);
  if (!v) throw err('E_BAD_SPEC', ExitCode.USAGE, `"${input}" is not a Go version`, 'use e.g. 1.23, 1.23.4, go1.23.4, 1.24rc1 or latest');
  // "1.23" is a language version: it means the newest release of that line. "1.20" before 1.21 means the same.
  return /^\d+\.\d+$/.test(v) ? { kind: 'line', version: v } : { kind: 'exact', version: v };
}

/** Picks the release a spec means. Prereleases are chosen only when named exactly. */
export function resolveSpec(input: string, releases: Release[]): Release {
  const spec = parseSpec(input);
  const sorted = [...releases].sort((a, b) => compare(b.version, a.version));
  const found = spec.kind === 'latest' ? sorted.find((r) => r.stable && !isPrerelease(r.version))
    : spec.kind === 'exact' ? sorted.find((r) => r.version === spec.version)
    : sorted.find((r) => !isPrerelease(r.version) && (r.version === spec.version || r.version.startsWith(spec.version + '.')));
  if (found) return found;
  const near = nearest(spec.kind === 'latest' ? '' : spec.version, sorted.map((r) => r.version));
  throw err('E_UNKNOWN_VERSION', ExitCode.NOT_FOUND, `no Go release matches "${input}"`,
    near.length ? `nearest releases: ${near.join(', ')} (see \`goarm ls-remote --all\`)` : 'see `goarm ls-remote --all`');
}

function nearest(v: string, all: string[]): string[] {
  const line = v.split('.').slice(0, 2).join('.');
  const same = all.filter((x) => x === line || x.startsWith(line + '.') || x.startsWith(line + 'rc') || x.startsWith(line + 'beta'));
  return (same.length ? same : all.filter((x) => x.startsWith(v.split('.')[0] + '.'))).slice(0, 5);
}

export function pickFile(release: Release, os: string, arch: string): ReleaseFile {
  const file = release.files.find((f) => f.kind === 'archive' && f.os === os && f.arch === arch && f.filename.endsWith('.tar.gz'));
  if (file) return file;
  const have = release.files.filter((f) => f.kind === 'archive').map((f) => `${f.os}/${f.arch}`);
  throw err('E_NO_FILE', ExitCode.NOT_FOUND, `go${release.version} has no archive for ${os}/${arch}`,
    have.length ? `available: ${[...new Set(have)].join(', ')}` : 'this release has no binary archives');
}
