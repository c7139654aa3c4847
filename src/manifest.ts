// Install manifests: the SHA-256, size and mode of every file of a Go root, recorded at install time from the
// verified staged tree, and kept OUTSIDE the root (manifests/<name>.json) so that whatever changes the root cannot
// quietly change the record too. `goarm verify` re-walks the installed root and compares.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ExitCode, err, fsError } from './errors.js';
import { safeName, type Home } from './home.js';
import { binaryInfo } from './platform.js';

export interface TreeEntry { rel: string; kind: 'file' | 'link' | 'other'; mode: number; size: number }
export interface ManifestFile { sha256?: string; size?: number; mode: number; link?: string }
export interface Manifest { schema: 1; name: string; version: string; os: string; arch: string; created: string; files: Record<string, ManifestFile> }

export const manifestPath = (home: Home, name: string) => join(home.manifests, `${safeName(name)}.json`);

/** Every non-directory under root (symlinks not followed), relative paths with "/", sorted. */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(entries.map(async (e) => {
      const rel = prefix + e.name;
      if (e.isDirectory()) return walk(join(dir, e.name), rel + '/');
      const st = await lstat(join(dir, e.name));
      out.push({ rel, kind: e.isSymbolicLink() ? 'link' : e.isFile() ? 'file' : 'other', mode: st.mode & 0o7777, size: st.size });
    }));
  };
  await walk(root, '');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Runs fn over items, at most `limit` at a time (hashing 15 000 files one by one wastes the disk's queue). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

export async function describeEntry(root: string, e: TreeEntry): Promise<ManifestFile> {
  const p = join(root, e.rel);
  if (e.kind === 'link') return { mode: e.mode, link: await readlink(p) };
  if (e.kind === 'file') return { mode: e.mode, size: e.size, sha256: await hashFile(p) };
  return { mode: e.mode };
}

/** Records the manifest of a staged root that is about to become versions/<basename(dir)>. */
export async function recordManifest(home: Home, stagedRoot: string, dir: string, release: { version: string; os: string; arch: string }): Promise<void> {
  const name = basename(dir);
  try {
    const entries = await walkTree(stagedRoot);
    const described = await pool(entries, 16, (e) => describeEntry(stagedRoot, e));
    const files: Record<string, ManifestFile> = {};
    entries.forEach((e, i) => (files[e.rel] = described[i]));
    const m: Manifest = { schema: 1, name, version: release.version, os: release.os, arch: release.arch, created: new Date().toISOString(), files };
    await mkdir(home.manifests, { recursive: true });
    const file = manifestPath(home, name);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(m) + '\n');
    await rename(tmp, file);
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
    throw err('E_MANIFEST', ExitCode.VERIFY, `${file} is damaged: ${(e as Error).message}`, `reinstall to record it again: goarm uninstall ${name} && goarm install ${name}`, e);
  }
}

export async function removeManifest(home: Home, name: string): Promise<void> {
  await rm(manifestPath(home, name), { force: true });
}

/** Binaries that must run on the platform the root is for: bin/* and pkg/tool/<os>_<arch>/*. */
export const isToolBinary = (rel: string) => /^bin\/[^/]+$/.test(rel) || /^pkg\/tool\/[^/]+\/[^/]+$/.test(rel);

/** The tool binaries under root whose header names another platform than os/arch. */
export async function wrongArchBinaries(root: string, entries: TreeEntry[], os: string, arch: string): Promise<{ path: string; found: string }[]> {
  const bad: { path: string; found: string }[] = [];
  for (const e of entries.filter((x) => x.kind === 'file' && isToolBinary(x.rel))) {
    const info = await binaryInfo(join(root, e.rel));
    if (info && (info.os !== os || !info.archs.includes(arch))) bad.push({ path: e.rel, found: `${info.os}/${info.archs.join('+')}` });
  }
  return bad;
}

export interface Change { path: string; what: 'content' | 'mode' | 'type' | 'link' }
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
export async function verifyTree(home: Home, name: string, root: string, expected: { os: string; arch: string }): Promise<TreeReport> {
  const m = await loadManifest(home, name);
  const os = m?.os ?? expected.os;
  const arch = m?.arch ?? expected.arch;
  let entries: TreeEntry[];
  try {
    entries = await walkTree(root);
  } catch (e) {
    throw fsError(e, `reading ${root}`);
  }
  const report: TreeReport = { name, path: root, os, arch, manifest: Boolean(m), ok: false, added: [], missing: [], changed: [], wrongArch: await wrongArchBinaries(root, entries, os, arch) };
  if (!m) return report;
  const seen = new Set<string>();
  const toHash: { e: TreeEntry; want: ManifestFile }[] = [];
  for (const e of entries) {
    const want = Object.hasOwn(m.files, e.rel) ? m.files[e.rel] : undefined;
    if (!want) { report.added.push(e.rel); continue; }
    seen.add(e.rel);
    const kind = want.link !== undefined ? 'link' : want.sha256 !== undefined ? 'file' : 'other';
    if (kind !== e.kind) report.changed.push({ path: e.rel, what: 'type' });
    else if (kind === 'link') { if ((await readlink(join(root, e.rel))) !== want.link) report.changed.push({ path: e.rel, what: 'link' }); }
    else if (kind === 'file' && want.size !== e.size) report.changed.push({ path: e.rel, what: 'content' });
    else if (kind === 'file') toHash.push({ e, want });
    else if (want.mode !== e.mode) report.changed.push({ path: e.rel, what: 'mode' });
  }
  const hashes = await pool(toHash, 16, ({ e }) => hashFile(join(root, e.rel)));
  toHash.forEach(({ e, want }, i) => {
    if (hashes[i] !== want.sha256) report.changed.push({ path: e.rel, what: 'content' });
    else if (want.mode !== e.mode) report.changed.push({ path: e.rel, what: 'mode' });
  });
  report.missing = Object.keys(m.files).filter((f) => !seen.has(f)).sort();
  report.changed.sort((a, b) => (a.path < b.path ? -1 : 1));
  report.ok = !report.added.length && !report.missing.length && !report.changed.length && !report.wrongArch.length;
  return report;
}
