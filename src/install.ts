// resolve → download → verify → extract to staging → check → atomic rename, under a per-file lock.
// Bytes are hashed, written to downloads/<file>.partial and unpacked into a private staging/ directory in one
// pass (GNU-tar speed), but nothing reaches versions/ until the SHA-256 and the signature both check out.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createExtractor } from './archive.js';
import { ExitCode, GoarmError, err, fsError } from './errors.js';
import type { Home } from './home.js';
import { download, getText } from './http.js';
import { alive, withLock } from './lock.js';
import { binaryInfo, host } from './platform.js';
import { progressBar } from './progress.js';
import { loadIndex, pickFile, resolveSpec, type ReleaseFile } from './releases.js';
import { checkSha256, sha256, startSignatureCheck, trustedKeys } from './verify.js';

export interface InstallSettings { indexUrl: string; downloadBase: string; trustedKeys: string[] }
export interface InstallOptions { os?: string; arch?: string; quiet?: boolean; skipSignature?: boolean; warn: (msg: string) => void }
export interface InstallResult { version: string; dir: string; os: string; arch: string; already: boolean }

/** Installs for the host go to versions/<v>; a cross-platform install gets its own root, versions/<v>-<os>-<arch>. */
export function versionDirName(version: string, os: string, arch: string): string {
  const h = host();
  return os === h.os && arch === h.arch ? version : `${version}-${os}-${arch}`;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Removes staging directories left by processes that no longer run (a kill -9 mid-extraction). */
export async function cleanDebris(home: Home): Promise<string[]> {
  const names = await readdir(home.staging).catch(() => [] as string[]);
  const dead = names.filter((n) => !alive(Number(n.split('-')[0]) || -1));
  await Promise.all(dead.map((n) => rm(join(home.staging, n), { recursive: true, force: true })));
  return dead;
}

export async function install(home: Home, cfg: InstallSettings, spec: string, opts: InstallOptions): Promise<InstallResult> {
  await cleanDebris(home);
  const index = await loadIndex(home, cfg.indexUrl, opts.warn);
  const release = resolveSpec(spec, index.releases);
  const h = host();
  const os = opts.os ?? h.os;
  const arch = opts.arch ?? h.arch;
  const file = pickFile(release, os, arch);
  const dir = home.version(versionDirName(release.version, os, arch));
  const result = { version: release.version, dir, os, arch, already: true };
  if (await exists(dir)) return result;
  return withLock(home.lock(file.filename), async () => {
    if (await exists(dir)) return result; // another process installed it while we waited
    await fetchAndUnpack(home, cfg, file, dir, opts);
    return { ...result, already: false };
  }, { onWait: () => opts.warn(`waiting for another goarm to finish installing ${file.filename}`) });
}

async function fetchAndUnpack(home: Home, cfg: InstallSettings, file: ReleaseFile, dir: string, opts: InstallOptions): Promise<void> {
  const url = cfg.downloadBase + file.filename;
  const keys = opts.skipSignature ? [] : await trustedKeys(cfg.trustedKeys);
  const asc = opts.skipSignature ? undefined : await getText(url + '.asc').catch((e) => {
    if (e instanceof GoarmError && e.code === 'E_HTTP_404')
      throw err('E_NO_SIGNATURE', ExitCode.VERIFY, `${url}.asc does not exist, so ${file.filename} cannot be proven genuine`,
        'use a mirror that serves the .asc files; only if you accept the risk: --skip-signature', e);
    throw e;
  });
  await mkdir(home.staging, { recursive: true }).catch((e) => { throw fsError(e, 'creating staging/'); });
  await mkdir(home.downloads, { recursive: true });
  const staging = await mkdtemp(join(home.staging, `${process.pid}-`));
  const partial = home.download(file.filename) + '.partial';
  const extractor = createExtractor(staging, { maxBytes: Math.max(8 * 2 ** 30, file.size * 20) });
  let extractError: unknown;
  const hash = sha256();
  let verified = false;
  try {
    const signature = asc === undefined ? undefined : await startSignatureCheck(asc.body, keys, file.filename);
    const feed = (chunk: Buffer) => {
      hash.update(chunk);
      signature?.push(chunk);
      if (extractError === undefined) try { extractor.write(chunk); } catch (e) { extractError = e; }
    };
    const offset = await replayPartial(partial, file.size, async (chunk) => { feed(chunk); await extractor.drained(); });
    const out = createWriteStream(partial, { flags: 'a' });
    const bar = progressBar(file.filename, file.size, !opts.quiet && Boolean(process.stderr.isTTY));
    try {
      await download(url, { offset, write: async (chunk) => { feed(chunk); await writeTo(out, chunk); await extractor.drained(); } }, { size: file.size, onProgress: (d) => bar.update(d) });
    } finally {
      bar.done();
      await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    }
    try {
      checkSha256(hash.digest('hex'), file.sha256, file.filename);
      if (signature) await signature.finish();
      else opts.warn(`WARNING: the signature of ${file.filename} was NOT checked (--skip-signature); only its SHA-256 from the index was`);
    } catch (e) {
      await rm(partial, { force: true }); // a bad download must not be resumed from
      throw e;
    }
    verified = true;
    if (extractError !== undefined) throw extractError;
    await extractor.end();
    await checkTree(join(staging, 'go'), file);
    await mkdir(home.versions, { recursive: true });
    await rename(join(staging, 'go'), dir);
    await rm(partial, { force: true });
  } catch (e) {
    extractor.abort();
    if (verified && e instanceof GoarmError && e.exitCode === ExitCode.ARCHIVE) await rm(partial, { force: true });
    throw e instanceof GoarmError ? e : fsError(e, `installing ${file.filename}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function writeTo(out: WriteStream, chunk: Buffer): Promise<void> | void {
  if (!out.write(chunk)) return new Promise((res, rej) => { out.once('drain', res); out.once('error', rej); });
}

/** Feeds the bytes of an interrupted earlier download back through the pipeline; returns how many there were. */
async function replayPartial(partial: string, size: number, feed: (chunk: Buffer) => Promise<void>): Promise<number> {
  const st = await stat(partial).catch(() => undefined);
  if (!st) return 0;
  if (st.size > size) { await truncate(partial, 0); return 0; }
  for await (const chunk of createReadStream(partial)) await feed(chunk as Buffer);
  return st.size;
}

/** The unpacked tree must be the release we asked for, for the platform we asked for. */
async function checkTree(root: string, file: ReleaseFile): Promise<void> {
  const bad = (why: string) => err('E_BAD_CONTENTS', ExitCode.ARCHIVE, `${file.filename} is not a usable Go release: ${why}`, 'the archive is signed but not what its name says; report it to the mirror operator');
  const goBin = join(root, 'bin', 'go');
  if (!(await exists(goBin))) throw bad('it has no go/bin/go');
  const first = (await readFile(join(root, 'VERSION'), 'utf8').catch(() => '')).split('\n')[0].trim();
  if (first !== `go${file.version}`) throw bad(`its VERSION file says "${first}", expected "go${file.version}"`);
  const info = await binaryInfo(goBin);
  if (!info || info.os !== file.os || !info.archs.includes(file.arch))
    throw err('E_WRONG_ARCH', ExitCode.ARCHIVE, `${file.filename}: bin/go is built for ${info ? `${info.os}/${info.archs.join('+')}` : 'an unknown platform'}, not ${file.os}/${file.arch}`,
      'the archive does not match its name; nothing was installed');
}
