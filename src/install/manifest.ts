// Install manifests: the SHA-256, size and mode of every file of a Go root, recorded at install time from the
// verified staged tree, and kept OUTSIDE the root (manifests/<name>.json) so that whatever changes the root cannot
// quietly change the record too. `goarm verify` re-walks the installed root and compares.
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { err, fsError } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import { type Home, safeName } from '../core/home.js';
import { binaryInfo } from '../core/platform.js';

export interface TreeEntry {
  rel: string;
  kind: 'file' | 'link' | 'other';
  mode: number;
  size: number;
}
export interface ManifestFile {
  sha256?: string;
  size?: number;
  mode: number;
  link?: string;
}
export interface Manifest {
  schema: 1;
  name: string;
  version: string;
  os: string;
  arch: string;
  created: string;
  files: Record<string, ManifestFile>;
}

export const manifestPath = (home: Home, name: string) => join(home.manifests, `${safeName(name)}.json`);

/**
 * Every non-directory under root (symlinks not followed), relative paths with "/", sorted. Synchronous calls on
 * purpose, here and in hashing: a Go root is ~12 000 mostly small files, and one thread-pool round trip per
 * lstat/open/read/close costs 2-3x the CPU of doing them in a loop (nothing else runs meanwhile).
 */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix + e.name;
      if (e.isDirectory()) {
        walk(join(dir, e.name), rel + '/');
        continue;
      }
      const st = lstatSync(join(dir, e.name));
      out.push({
        rel,
        kind: e.isSymbolicLink() ? 'link' : e.isFile() ? 'file' : 'other',
        mode: st.mode & 0o7777,
        size: st.size,
      });
    }
  };
  walk(root, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

const chunk = Buffer.allocUnsafe(1 << 20);

/** SHA-256 of a file: small ones read whole, big ones (bin/go, ~15 MB) through one reused 1 MiB buffer. */
export function hashFile(file: string, size = Infinity): string {
  const h = createHash('sha256');
  if (size < chunk.length) return h.update(readFileSync(file)).digest('hex');
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export function describeEntry(root: string, e: TreeEntry): ManifestFile {
  const p = join(root, e.rel);
  if (e.kind === 'link') return { mode: e.mode, link: readlinkSync(p) };
  if (e.kind === 'file') return { mode: e.mode, size: e.size, sha256: hashFile(p, e.size) };
  return { mode: e.mode };
}

/**
 * Records the manifest of a root that is about to become versions/<basename(dir)>. `files` comes from the
 * extractor, which hashed every member on its way to disk; without it the staged tree is walked and read.
 */
export async function recordManifest(
  home: Home,
  stagedRoot: string,
  dir: string,
  release: { version: string; os: string; arch: string },
  files?: Record<string, ManifestFile>,
): Promise<void> {
  const name = basename(dir);
  try {
    if (!files) {
      files = {};
      for (const e of await walkTree(stagedRoot)) files[e.rel] = describeEntry(stagedRoot, e);
    }
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const m: Manifest = {
      schema: 1,
      name,
      version: release.version,
      os: release.os,
      arch: release.arch,
      created: new Date().toISOString(),
      files: sorted,
    };
    await atomicWrite(manifestPath(home, name), JSON.stringify(m) + '\n', {
      what: `recording the manifest of ${name}`,
    });
  } catch (e) {
    throw fsError(e, `recording the manifest of ${name}`);
  }
}

/** The manifest of an installed version; undefined when none was recorded (installed before goarm kept them). */
export async function loadManifest(home: Home, name: string): Promise<Manifest | undefined> {
  const file = manifestPath(home, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(e, `reading ${file}`);
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.schema !== 1 || typeof m.files !== 'object' || !m.files) throw new Error('not a goarm manifest');
    return m;
  } catch (e) {
    throw err(
      'E_MANIFEST',
      `${file} is damaged: ${(e as Error).message}`,
      `reinstall to record it again: goarm uninstall ${name} && goarm install ${name}`,
      e,
    );
  }
}

export async function removeManifest(home: Home, name: string): Promise<void> {
  await rm(manifestPath(home, name), { force: true });
}

/** Binaries that must run on the platform the root is for: bin/* and pkg/tool/<os>_<arch>/*. */
export const isToolBinary = (rel: string) => /^bin\/[^/]+$/.test(rel) || /^pkg\/tool\/[^/]+\/[^/]+$/.test(rel);

/** The tool binaries under root whose header names another platform than os/arch. */
export async function wrongArchBinaries(
  root: string,
  entries: TreeEntry[],
  os: string,
  arch: string,
): Promise<{ path: string; found: string }[]> {
  const bad: { path: string; found: string }[] = [];
  for (const e of entries.filter((x) => x.kind === 'file' && isToolBinary(x.rel))) {
    const info = await binaryInfo(join(root, e.rel));
    if (info && (info.os !== os || !info.archs.includes(arch)))
      bad.push({ path: e.rel, found: `${info.os}/${info.archs.join('+')}` });
  }
  return bad;
}

export interface Change {
  path: string;
  what: 'content' | 'mode' | 'type' | 'link';
}
export interface TreeReport {
  name: string;
  path: string;
  os: string;
  arch: string;
  manifest: boolean; // false: nothing to compare against (installed before goarm recorded manifests)
  ok: boolean;
  added: string[];
  missing: string[];
  changed: Change[];
  wrongArch: { path: string; found: string }[];
}

/** Re-checks an installed root against its manifest. `expected` is the platform the root must be for. */
export async function verifyTree(
  home: Home,
  name: string,
  root: string,
  expected: { os: string; arch: string },
): Promise<TreeReport> {
  const m = await loadManifest(home, name);
  const os = m?.os ?? expected.os;
  const arch = m?.arch ?? expected.arch;
  let entries: TreeEntry[];
  try {
    entries = await walkTree(root);
  } catch (e) {
    throw fsError(e, `reading ${root}`);
  }
  const report: TreeReport = {
    name,
    path: root,
    os,
    arch,
    manifest: Boolean(m),
    ok: false,
    added: [],
    missing: [],
    changed: [],
    wrongArch: await wrongArchBinaries(root, entries, os, arch),
  };
  if (!m) return report;
  const seen = new Set<string>();
  for (const e of entries) {
    const want = Object.hasOwn(m.files, e.rel) ? m.files[e.rel] : undefined;
    if (!want) {
      report.added.push(e.rel);
      continue;
    }
    seen.add(e.rel);
    const kind = want.link !== undefined ? 'link' : want.sha256 !== undefined ? 'file' : 'other';
    if (kind !== e.kind) report.changed.push({ path: e.rel, what: 'type' });
    else if (kind === 'link') {
      if (readlinkSync(join(root, e.rel)) !== want.link) report.changed.push({ path: e.rel, what: 'link' });
    } else if (kind === 'file' && want.size !== e.size) report.changed.push({ path: e.rel, what: 'content' });
    else if (kind === 'file' && hashFile(join(root, e.rel), e.size) !== want.sha256)
      report.changed.push({ path: e.rel, what: 'content' });
    else if (want.mode !== e.mode) report.changed.push({ path: e.rel, what: 'mode' });
  }
  report.missing = Object.keys(m.files)
    .filter((f) => !seen.has(f))
    .sort();
  report.ok = !report.added.length && !report.missing.length && !report.changed.length && !report.wrongArch.length;
  return report;
}
