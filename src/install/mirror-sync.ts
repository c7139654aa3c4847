// `goarm mirror sync <dir> <spec>...`: a static mirror directory that any web server can serve, or that goarm
// reads directly (`install --from <dir>`, index_url/download_base as paths). It holds index.json in the official
// shape (the entries of the trusted index, verbatim) and each tarball with its .asc, all verified on the way in.
// Re-running it is cheap: files already there are re-hashed and kept; an interrupted download resumes.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, err, fsError, GoarmError } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { withLock } from '../core/lock.js';
import { displayUrl, download, isFileUrl, setStallTimeout } from './http.js';
import { PartialDownload } from './partial.js';
import { eachSource, fetchSignature, type InstallSettings } from './pipeline.js';
import {
  formatIndex,
  loadIndex,
  parseIndex,
  pickFile,
  type Release,
  type ReleaseFile,
  resolveSpec,
} from './release-index.js';
import { checkSha256, sha256, startSignatureCheck, trustedKeys } from './signature.js';

export interface Platform {
  os: string;
  arch: string;
}
export interface SyncedFile {
  filename: string;
  status: 'fetched' | 'present';
}

export function parsePlatform(s: string): Platform {
  const m = /^([a-z0-9]+)\/([a-z0-9]+)$/.exec(s.trim());
  if (!m) throw err('E_USAGE', `"${s}" is not a platform`, 'write it as os/arch, e.g. linux/amd64 or darwin/arm64');
  return { os: m[1], arch: m[2] };
}

type Keys = Awaited<ReturnType<typeof trustedKeys>>;

export async function syncMirror(
  home: Home,
  cfg: InstallSettings,
  dir: string,
  specs: string[],
  platforms: Platform[],
  opts: { warn: (msg: string) => void; onFile?: (f: SyncedFile) => void },
): Promise<SyncedFile[]> {
  const root = resolve(dir);
  const indexFile = join(root, 'index.json');
  if (isFileUrl(cfg.indexUrl) && resolve(fileURLToPath(cfg.indexUrl)) === indexFile)
    throw err(
      'E_USAGE',
      `${root} is the mirror being synced and also the index it would be synced from`,
      'sync from the official index (unset GOARM_INDEX_URL / index_url)',
    );
  await mkdir(root, { recursive: true }).catch((e) => {
    throw fsError(e, `creating ${root}`);
  });
  setStallTimeout(cfg.stallTimeout);
  // One sync per directory at a time: two would interleave index.json rewrites and share .partial files.
  return withLock(join(root, '.goarm-sync.lock'), () => syncLocked(home, cfg, root, specs, platforms, opts), {
    onWait: () => opts.warn(`waiting for another goarm to finish syncing ${root}`),
  });
}

async function syncLocked(
  home: Home,
  cfg: InstallSettings,
  root: string,
  specs: string[],
  platforms: Platform[],
  opts: { warn: (msg: string) => void; onFile?: (f: SyncedFile) => void },
): Promise<SyncedFile[]> {
  const indexFile = join(root, 'index.json');
  const index = await loadIndex(home, cfg.indexUrl, opts.warn);
  const wanted: { release: Release; file: ReleaseFile }[] = [];
  for (const spec of specs) {
    const release = resolveSpec(spec, index.releases);
    for (const p of platforms) {
      const file = pickFile(release, p.os, p.arch);
      if (!wanted.some((w) => w.file.filename === file.filename)) wanted.push({ release, file });
    }
  }
  const keys = await trustedKeys(cfg.trustedKeys);
  let published = await readPublished(indexFile);
  const done: SyncedFile[] = [];
  for (const { release, file } of wanted) {
    const status = (await intact(root, file, keys))
      ? 'present'
      : (await fetchFile(cfg, root, file, keys, opts.warn), 'fetched');
    // index.json is rewritten after every file, so an interrupted sync never lists a file the directory lacks.
    published = merge(published, release, file);
    await atomicWrite(indexFile, formatIndex(published));
    done.push({ filename: file.filename, status });
    opts.onFile?.(done[done.length - 1]);
  }
  return done;
}

async function readPublished(indexFile: string): Promise<Release[]> {
  let text: string;
  try {
    text = await readFile(indexFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError(e, `reading ${indexFile}`);
  }
  return parseIndex(text, indexFile);
}

function merge(published: Release[], release: Release, file: ReleaseFile): Release[] {
  const old = published.find((r) => r.version === release.version);
  const files = [...(old?.files ?? []).filter((f) => f.filename !== file.filename), file].sort((a, b) =>
    a.filename.localeCompare(b.filename),
  );
  return [...published.filter((r) => r !== old), { version: release.version, stable: release.stable, files }];
}

/** A tarball already in the directory counts only if its size, SHA-256 and signature all still check out. */
async function intact(root: string, file: ReleaseFile, keys: Keys): Promise<boolean> {
  const path = join(root, file.filename);
  const st = await stat(path).catch(() => undefined);
  if (!st || st.size !== file.size) return false;
  try {
    const check = await startSignatureCheck(await readFile(path + '.asc', 'utf8'), keys, file.filename);
    const hash = sha256();
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      check.push(chunk as Buffer);
    }
    checkSha256(hash.digest('hex'), file.sha256, file.filename);
    await check.finish();
    return true;
  } catch {
    return false; // fetched again below, and verified again
  }
}

async function fetchFile(
  cfg: InstallSettings,
  root: string,
  file: ReleaseFile,
  keys: Keys,
  warn: (msg: string) => void,
): Promise<void> {
  const target = join(root, file.filename);
  const partial = new PartialDownload(join(root, `.${file.filename}.partial`));
  await eachSource(cfg, warn, async (base, attempts) => {
    const asc = await fetchSignature(cfg, base, file.filename, warn, attempts);
    const check = await startSignatureCheck(asc, keys, file.filename);
    const hash = sha256();
    const feed = (chunk: Buffer) => {
      hash.update(chunk);
      check.push(chunk);
    };
    const source = displayUrl(base + file.filename);
    const validators = await partial.resumable(source, file.size);
    const offset = validators ? await partial.replay(feed) : 0;
    const out = partial.open();
    const sink = {
      offset,
      validators,
      onStart: () => partial.start(source, sink.validators),
      write: (chunk: Buffer) => {
        feed(chunk);
        return out.write(chunk);
      },
    };
    try {
      await download(base + file.filename, sink, { size: file.size, attempts });
      await out.close();
    } catch (e) {
      await out.close().catch(() => undefined);
      // Only a network failure leaves bytes worth resuming (from this same source).
      if (!(e instanceof GoarmError && e.exitCode === ExitCode.NETWORK && e.code !== 'E_HTTP_RANGE'))
        await partial.discard();
      throw e;
    }
    try {
      checkSha256(hash.digest('hex'), file.sha256, file.filename);
      await check.finish();
    } catch (e) {
      await partial.discard(); // never resume from bytes that failed verification
      throw e;
    }
    await atomicWrite(target + '.asc', asc);
    await rename(partial.path, target).catch((e) => {
      throw fsError(e, `writing ${target}`);
    });
    await partial.discard();
  });
}
