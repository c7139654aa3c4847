// resolve → download → verify → extract to staging → check → atomic rename, under a per-file lock.
// Bytes are hashed, written to downloads/<file>.partial and unpacked into a private staging/ directory in one
// pass (GNU-tar speed), but nothing reaches versions/ until the SHA-256 and the signature both check out.
// Files come from the mirrors in order, then the official host; the SHA-256 always comes from the index.
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as openpgp from 'openpgp';
import { ExitCode, err, fsError, GoarmError } from '../core/errors.js';
import { exists } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { stagingGone, stagingPrefix, stampGone, withLock } from '../core/lock.js';
import { binaryInfo, host } from '../core/platform.js';
import { progressBar } from '../core/progress.js';
import { createExtractor } from './archive.js';
import { displayUrl, download, getText, isNotFound, MAX_SIGNATURE, setStallTimeout } from './http.js';
import { recordManifest } from './manifest.js';
import { fileSources, isOfficialIndex, toLocation } from './mirrors.js';
import { PartialDownload } from './partial.js';
import {
  cachedIndex,
  fetchIndex,
  findFile,
  loadIndex,
  pickFile,
  type ReleaseFile,
  resolveSpec,
} from './release-index.js';
import { checkSha256, sha256, startSignatureCheck, trustedKeys } from './signature.js';

export interface InstallSettings {
  indexUrl: string; // the index every SHA-256 comes from
  downloadBase: string; // the official host: the file source of last resort, and where a missing .asc is fetched
  mirrors?: string[]; // file sources tried first, in order
  trustedKeys: string[];
  stallTimeout?: number; // seconds (config.toml stall_timeout)
}
export interface InstallOptions {
  os?: string;
  arch?: string;
  quiet?: boolean;
  /** ignore a fresh cached index */
  refresh?: boolean;
  skipSignature?: boolean;
  warn: (msg: string) => void;
}
export interface InstallResult {
  version: string;
  dir: string;
  os: string;
  arch: string;
  already: boolean;
}

/** Installs for the host go to versions/<v>; a cross-platform install gets its own root, versions/<v>-<os>-<arch>. */
function versionDirName(version: string, os: string, arch: string): string {
  const h = host();
  return os === h.os && arch === h.arch ? version : `${version}-${os}-${arch}`;
}

/** atomicWrite's temporary files: .<name>.<pid>.<8 hex>.tmp */
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes what processes that no longer run left behind (a kill -9 mid-extraction, a reused pid): staging
 * directories, and atomicWrite's temporary files in manifests/ and cache/.
 */
async function cleanDebris(home: Home): Promise<void> {
  const names = await readdir(home.staging).catch(() => [] as string[]);
  const dead = names.filter(stagingGone).map((n) => join(home.staging, n));
  for (const dir of [home.manifests, home.cache])
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      const pid = TEMP.exec(n)?.[1];
      if (pid && Number(pid) !== process.pid && stampGone(pid)) dead.push(join(dir, n));
    }
  await Promise.all(dead.map((p) => rm(p, { recursive: true, force: true }).catch(() => undefined)));
}

export async function install(
  home: Home,
  cfg: InstallSettings,
  spec: string,
  opts: InstallOptions,
): Promise<InstallResult> {
  setStallTimeout(cfg.stallTimeout);
  await cleanDebris(home);
  const index = await loadIndex(home, cfg.indexUrl, opts.warn, { refresh: opts.refresh });
  const release = resolveSpec(spec, index.releases);
  const h = host();
  const file = pickFile(release, opts.os ?? h.os, opts.arch ?? h.arch);
  const keys = opts.skipSignature ? [] : await trustedKeys(cfg.trustedKeys);
  return installFile(home, file, opts, (dir) =>
    eachSource(cfg, opts.warn, async (base, attempts) => {
      const asc = opts.skipSignature ? undefined : await fetchSignature(cfg, base, file.filename, opts.warn, attempts);
      const fromGoogle = isOfficialIndex(cfg.indexUrl);
      await fetchOnce(home, file, dir, { url: base + file.filename, asc, keys, attempts, fromGoogle }, opts);
    }),
  );
}

/**
 * `install --file`: a release archive already on disk (carried into an air-gapped network). Its signature is
 * required (`asc`, default <file>.asc), and its SHA-256 must match an index: `index` (a path or URL), else the
 * index cached by the last online run.
 */
export async function installArchive(
  home: Home,
  cfg: InstallSettings,
  path: string,
  opts: InstallOptions & { asc?: string; index?: string },
): Promise<InstallResult> {
  setStallTimeout(cfg.stallTimeout);
  await cleanDebris(home);
  const name = basename(path);
  const index = opts.index
    ? { ...(await fetchIndex(toLocation(opts.index, process.cwd()))), url: displayUrl(opts.index) }
    : await cachedIndex(home);
  if (!index)
    throw err(
      'E_NO_INDEX',
      `no release index to check the SHA-256 of ${name} against`,
      'run `goarm ls-remote` once while online (it caches the index), ' +
        'or pass --index <index.json> (a `goarm mirror sync` directory has one)',
    );
  const file = findFile(index.releases, name);
  if (file?.kind !== 'archive' || !name.endsWith('.tar.gz'))
    throw err(
      'E_NOT_IN_INDEX',
      `${name} is not a release archive listed in the index (${index.url})`,
      'import an official .tar.gz under its original file name, or pass --index with an index that lists it',
    );
  if (!(await exists(path)))
    throw err('E_FILE_NOT_FOUND', `${path} does not exist`, 'give the path of a downloaded Go release archive');
  const ascPath = opts.asc ?? `${path}.asc`;
  const asc = await readSmall(ascPath, MAX_SIGNATURE).catch((e) => {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? err(
          'E_NO_SIGNATURE',
          `${ascPath} does not exist, so ${name} cannot be proven genuine`,
          "pass the release's signature with --asc <file>; --file always needs one",
        )
      : fsError(e, `reading ${ascPath}`);
  });
  const keys = await trustedKeys(cfg.trustedKeys);
  return installFile(home, file, opts, (dir) =>
    fetchOnce(
      home,
      file,
      dir,
      { url: pathToFileURL(path).href, asc, keys, fromGoogle: isOfficialIndex(index.url) },
      opts,
    ),
  );
}

async function installFile(
  home: Home,
  file: ReleaseFile,
  opts: InstallOptions,
  fetch: (dir: string) => Promise<void>,
): Promise<InstallResult> {
  const dir = home.version(versionDirName(file.version, file.os, file.arch));
  const result = { version: file.version, dir, os: file.os, arch: file.arch, already: true };
  if (await exists(dir)) return result;
  return withLock(
    home.lock(file.filename),
    async () => {
      if (await exists(dir)) return result; // another process installed it while we waited
      await fetch(dir);
      return { ...result, already: false };
    },
    { onWait: () => opts.warn(`waiting for another goarm to finish installing ${file.filename}`) },
  );
}

/** Errors that another source may not have: unreachable, HTTP errors, missing files, bytes that fail verification. */
const sourceFailure = (e: unknown): e is GoarmError =>
  e instanceof GoarmError &&
  (e.exitCode === ExitCode.NETWORK || e.exitCode === ExitCode.VERIFY || e.code === 'E_FILE_NOT_FOUND');

/**
 * Runs `fn` against each file source (mirrors in order, then the official host) until one succeeds. Every source
 * but the last gets fewer retries. When all fail, a verification failure (tampering) is reported before anything
 * else, then the first source's error: the mirror the user chose matters more than the fallback.
 */
export async function eachSource(
  cfg: InstallSettings,
  warn: (msg: string) => void,
  fn: (base: string, attempts?: number) => Promise<void>,
): Promise<void> {
  const bases = fileSources(cfg);
  const failed: GoarmError[] = [];
  for (const [i, base] of bases.entries()) {
    const last = i === bases.length - 1;
    try {
      return await fn(base, last ? undefined : 2);
    } catch (e) {
      if (!sourceFailure(e)) throw e;
      failed.push(e);
      if (last) throw failed.find((f) => f.exitCode === ExitCode.VERIFY) ?? failed[0];
      warn(`warning: ${e.message} [${e.code}]; trying ${displayUrl(bases[i + 1])}`);
    }
  }
}

/** The .asc from the file's source; when the source has none, from the official host (a signature is a signature). */
export async function fetchSignature(
  cfg: InstallSettings,
  base: string,
  filename: string,
  warn: (msg: string) => void,
  attempts?: number,
): Promise<string> {
  const missing = (where: string, cause?: unknown) =>
    err(
      'E_NO_SIGNATURE',
      `${where} does not exist, so ${filename} cannot be proven genuine`,
      'use a mirror that serves the .asc files, or let goarm reach the official host for them; ' +
        'only if you accept the risk: --skip-signature',
      cause,
    );
  try {
    return (await getText(base + filename + '.asc', { attempts, maxBytes: MAX_SIGNATURE })).body;
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (base === cfg.downloadBase) throw missing(displayUrl(base + filename + '.asc'), e);
  }
  const official = cfg.downloadBase + filename + '.asc';
  warn(`${displayUrl(base)} has no ${filename}.asc; fetching the signature from ${displayUrl(official)}`);
  try {
    return (await getText(official, { attempts, maxBytes: MAX_SIGNATURE })).body;
  } catch (e) {
    if (isNotFound(e)) throw missing(`neither ${displayUrl(base + filename)}.asc nor ${displayUrl(official)}`, e);
    throw err(
      'E_NO_SIGNATURE',
      `${displayUrl(base)} has no ${filename}.asc and the official host cannot be reached: ${(e as Error).message}`,
      'make the mirror serve the .asc files, or allow access to the official host (download_base)',
      e,
    );
  }
}

interface Source {
  url: string;
  asc?: string;
  keys: openpgp.PublicKey[];
  attempts?: number;
  fromGoogle?: boolean; // the index is Google's: an unknown signing key most likely means a newer Google subkey
}

/** A file the user named (--asc): read only if it is small enough to be what it claims. */
async function readSmall(path: string, max: number): Promise<string> {
  const text = await readFile(path);
  if (text.length > max)
    throw err('E_TOO_LARGE', `${path} has ${text.length} bytes; a signature is under ${max}`, 'pass the .asc file');
  return text.toString('utf8');
}

/** fetchAndUnpack, started over once from zero when a resume turns out impossible (the file changed). */
async function fetchOnce(home: Home, file: ReleaseFile, dir: string, src: Source, opts: InstallOptions) {
  try {
    await fetchAndUnpack(home, file, dir, src, opts);
  } catch (e) {
    if (!(e instanceof GoarmError && e.code === 'E_HTTP_RANGE')) throw e;
    opts.warn(`warning: ${e.message}; downloading it again from the start`);
    await fetchAndUnpack(home, file, dir, src, opts);
  }
}

/** Whether the bytes held in downloads/ may be resumed after `e`: only after a network failure. */
const keepPartial = (e: unknown) =>
  e instanceof GoarmError && e.exitCode === ExitCode.NETWORK && e.code !== 'E_HTTP_RANGE';

/** Maps a failure to create goarm's own directories onto E_DISK_FULL / E_PERMISSION. */
const mkdirs = async (...dirs: string[]) => {
  for (const d of dirs)
    await mkdir(d, { recursive: true }).catch((e) => {
      throw fsError(e, `creating ${d}`);
    });
};

async function fetchAndUnpack(
  home: Home,
  file: ReleaseFile,
  dir: string,
  src: Source,
  opts: InstallOptions,
): Promise<void> {
  const { url, asc, keys } = src;
  await mkdirs(home.staging, home.downloads);
  const staging = await mkdtemp(join(home.staging, stagingPrefix())).catch((e) => {
    throw fsError(e, 'creating a staging directory');
  });
  const partial = new PartialDownload(home.download(file.filename) + '.partial');
  const extractor = createExtractor(staging, { maxBytes: unpackedCap(file.size) });
  let extractError: unknown;
  const hash = sha256();
  let verified = false;
  const bar = progressBar(file.filename, file.size, !opts.quiet && Boolean(process.stderr.isTTY));
  try {
    const signature =
      asc === undefined
        ? undefined
        : await startSignatureCheck(asc, keys, file.filename, { fromGoogle: src.fromGoogle });
    const feed = (chunk: Buffer) => {
      hash.update(chunk);
      signature?.push(chunk);
      if (extractError === undefined)
        try {
          extractor.write(chunk);
        } catch (e) {
          extractError = e;
        }
    };
    const source = displayUrl(url);
    const validators = await partial.resumable(source, file.size);
    const offset = validators
      ? await partial.replay(async (chunk) => {
          feed(chunk);
          await extractor.drained();
        })
      : 0;
    const out = partial.open();
    const sink = {
      offset,
      validators,
      onStart: () => partial.start(source, sink.validators),
      write: async (chunk: Buffer) => {
        feed(chunk);
        diskFailure(extractError);
        await out.write(chunk);
        await extractor.drained();
      },
    };
    try {
      await download(url, sink, { size: file.size, onProgress: (d) => bar.update(d), attempts: src.attempts });
    } catch (e) {
      await out.close().catch(() => undefined);
      throw e;
    }
    await out.close();
    bar.phase('verifying');
    checkSha256(hash.digest('hex'), file.sha256, file.filename);
    if (signature) await signature.finish();
    else
      opts.warn(
        `WARNING: the signature of ${file.filename} was NOT checked (--skip-signature); ` +
          'only its SHA-256 from the index was',
      );
    verified = true;
    if (extractError !== undefined) throw extractError;
    bar.phase('unpacking');
    await extractor.end();
    bar.phase('checking');
    await checkTree(join(staging, 'go'), file);
    await mkdirs(home.versions);
    // Every file's SHA-256 for `goarm verify`, as hashed by the extractor on the way to disk.
    const files = Object.fromEntries(
      [...extractor.files].filter(([p]) => p.startsWith('go/')).map(([p, f]) => [p.slice(3), f]),
    );
    await recordManifest(home, join(staging, 'go'), dir, file, files);
    await rename(join(staging, 'go'), dir);
    await partial.discard();
  } catch (e) {
    await extractor.abort();
    // Bytes that failed verification, a bad archive, a full disk or a changed file are never resumed from.
    if (verified || !keepPartial(e)) await partial.discard();
    throw e instanceof GoarmError ? e : fsError(e, `installing ${file.filename}`);
  } finally {
    bar.done();
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A full disk or a permission problem while unpacking stops the download at once: no other source can help. */
function diskFailure(e: unknown): void {
  if (e instanceof GoarmError && e.exitCode === ExitCode.FILESYSTEM) throw e;
}

/**
 * The most a release may unpack to: a Go tree is ~250 MB from a ~70 MB archive, so 1 GiB, or 8x the archive for
 * releases that grow past that. An archive that inflates further is not a Go release (a zip bomb).
 */
const unpackedCap = (archiveSize: number) => Math.max(2 ** 30, archiveSize * 8);

/** The unpacked tree must be the release we asked for, for the platform we asked for. */
async function checkTree(root: string, file: ReleaseFile): Promise<void> {
  const bad = (why: string) =>
    err(
      'E_BAD_CONTENTS',
      `${file.filename} is not a usable Go release: ${why}`,
      'the archive is signed but not what its name says; report it to the mirror operator',
    );
  const goBin = join(root, 'bin', 'go');
  if (!(await exists(goBin))) throw bad('it has no go/bin/go');
  const first = (await readFile(join(root, 'VERSION'), 'utf8').catch(() => '')).split('\n')[0].trim();
  if (first !== `go${file.version}`) throw bad(`its VERSION file says "${first}", expected "go${file.version}"`);
  const info = await binaryInfo(goBin);
  if (!info || info.os !== file.os || !info.archs.includes(file.arch))
    throw err(
      'E_WRONG_ARCH',
      `${file.filename}: bin/go is built for ${info ? `${info.os}/${info.archs.join('+')}` : 'an unknown platform'}, ` +
        `not ${file.os}/${file.arch}`,
      'the archive does not match its name; nothing was installed',
    );
}
