// Repacks Debian's golang-1.19-go into the layout of an official Go release tarball
// (go1.19.8.linux-amd64.tar.gz with members go/VERSION, go/bin/go, go/src, ...), so the e2e
// tests and the install benchmark work on a real, full-size toolchain without the internet.
// This is the one implementation; test/helpers/realgo.ts is a typed wrapper around it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const DEFAULT_ROOT = '/usr/lib/go-1.19';
const INSTALL_HINT = 'apt-get install golang-1.19-go';

/** Where the Debian Go root is; GOARM_REALGO_ROOT overrides it (e.g. another golang-1.x-go). */
export function debianGoRoot(env = process.env) {
  return env.GOARM_REALGO_ROOT || DEFAULT_ROOT;
}

/**
 * Reads version, os and arch from the Go root itself: VERSION says "go1.19.8", and
 * pkg/tool/<os>_<arch> is the host toolchain's directory.
 */
export async function inspectGoRoot(root) {
  let versionText;
  try {
    versionText = await readFile(path.join(root, 'VERSION'), 'utf8');
    await access(path.join(root, 'bin', 'go'));
  } catch {
    throw new Error(`no Go toolchain at ${root} (VERSION and bin/go expected); install it with: ${INSTALL_HINT}`);
  }
  const m = /^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)\s*$/.exec(versionText.split('\n')[0]);
  if (!m) throw new Error(`${root}/VERSION does not name a Go release: ${JSON.stringify(versionText)}`);
  const tools = (await readdir(path.join(root, 'pkg', 'tool'))).filter((d) => /^[a-z0-9]+_[a-z0-9]+$/.test(d));
  if (tools.length !== 1) throw new Error(`cannot tell the host platform from ${root}/pkg/tool: ${tools.join(', ')}`);
  const [os, arch] = tools[0].split('_');
  return { version: m[1], os, arch };
}

export async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function hasCommand(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    try {
      await access(path.join(dir, name));
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Writes the tarball with GNU tar: -h dereferences Debian's symlinks into /usr/share/go-1.19, so
 * every member is a real file as in the official tarballs; the transform renames the top
 * directory to go/; owners are root/root numeric like the official ones.
 */
async function pack(root, out) {
  const real = await realpath(root);
  const top = path.basename(real);
  const esc = top.replace(/[.[\]*^$\\]/g, '\\$&');
  const compress = (await hasCommand('pigz')) ? ['-I', 'pigz'] : ['-z'];
  await run('tar', [
    '-C',
    path.dirname(real),
    '-h',
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    `--transform=s,^${esc},go,`,
    ...compress,
    '-cf',
    out,
    top,
  ]);
}

/** Temp files of builds that were killed; a live build keeps its file's mtime fresh. */
async function removeStaleTemps(file) {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const st = await stat(path.join(dir, name)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 10 * 60_000) await rm(path.join(dir, name), { force: true });
  }
}

const memo = new Map();

/**
 * Builds (once per machine, cached under the temp dir) and describes the repacked tarball.
 * The tarball is written under a temp name and renamed, so an existing file is complete;
 * its sha256 is kept in a sidecar .json that is trusted only when the size still matches.
 */
export function realGoTarball(opts = {}) {
  const root = opts.root || debianGoRoot();
  const cacheDir = opts.cacheDir || tmpdir();
  const key = `${root}\0${cacheDir}`;
  if (!memo.has(key)) {
    const p = build(root, cacheDir);
    p.catch(() => memo.delete(key));
    memo.set(key, p);
  }
  return memo.get(key);
}

async function build(root, cacheDir) {
  const { version, os, arch } = await inspectGoRoot(root);
  const filename = `go${version}.${os}-${arch}.tar.gz`;
  const file = path.join(cacheDir, `goarm-realgo-${version}-${os}-${arch}.tar.gz`);
  const sidecar = `${file}.json`;
  const suffix = `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;

  let size = await stat(file).then(
    (s) => s.size,
    () => -1,
  );
  if (size < 0) {
    await removeStaleTemps(file);
    const tmp = file + suffix;
    try {
      await pack(root, tmp);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    size = (await stat(file)).size;
  }
  let sha256;
  try {
    const meta = JSON.parse(await readFile(sidecar, 'utf8'));
    if (meta.size === size && /^[0-9a-f]{64}$/.test(meta.sha256)) sha256 = meta.sha256;
  } catch {
    /* missing or unreadable: hash again */
  }
  if (!sha256) {
    sha256 = await sha256File(file);
    await writeFile(sidecar + suffix, JSON.stringify({ size, sha256 }));
    await rename(sidecar + suffix, sidecar);
  }
  return { path: file, filename, version, os, arch, sha256, size };
}
