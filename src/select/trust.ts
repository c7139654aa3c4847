// `goarm trust`: a .goarm.toml can make `go build` run other programs ([env] such as GOFLAGS=-toolexec=…,
// cgo.cc, cgo.cflags, cgo.ldflags), and it may have come with someone else's repository. Those settings apply
// only after the user trusted that exact file content. Records live under home.trust, one per project file,
// named by the SHA-256 of its absolute real path; the content is "<sha256 of file content>\t<abs path>",
// so any edit needs trusting again.
//
// What needs no trust (see projectEnv in select/resolve.ts): go, arch, cgo.enabled, cgo.netdns and cgo.tags.
// Tags are validated to plain words, so they cannot smuggle flags into GOFLAGS; they only pick which of the
// project's own files get compiled, which is no more than the project's code can do anyway.
import { readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { err, fsError } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import type { Home } from '../core/home.js';

// crypto is loaded on first use: most light commands never hash.
// Small files, read synchronously like core/fs.ts (no fs/promises on the shims' path).
function readOr(file: string): Buffer | undefined;
function readOr(file: string, enc: 'utf8'): string | undefined;
function readOr(file: string, enc?: 'utf8'): Buffer | string | undefined {
  try {
    return enc ? readFileSync(file, enc) : readFileSync(file);
  } catch {
    return undefined;
  }
}

const sha256 = (data: Buffer | string) =>
  process.getBuiltinModule('node:crypto').createHash('sha256').update(data).digest('hex');

/** The canonical name we trust a file under: its real path when it exists, so symlinked checkouts agree. */
async function canonical(file: string): Promise<string> {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** Path of the trust record for `file` (also what the resolve cache must watch). */
export async function trustRecord(home: Home, file: string): Promise<string> {
  return join(home.trust, sha256(await canonical(file)));
}

/** True when `content` is exactly what the user trusted for `file`. */
export async function isTrusted(home: Home, file: string, content: Buffer | string): Promise<boolean> {
  const abs = await canonical(file);
  try {
    const rec = readFileSync(join(home.trust, sha256(abs)), 'utf8');
    return rec === `${sha256(content)}\t${abs}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fsError(e, `reading the trust record for ${abs}`);
  }
}

/** Trusts the file's current content. Returns the absolute path trusted. */
export async function trust(home: Home, file: string): Promise<string> {
  const abs = await canonical(file);
  let content: Buffer;
  try {
    content = readFileSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw err('E_NOT_FOUND', `${abs}: no such file`, 'run goarm trust in the directory that holds .goarm.toml');
    throw fsError(e, `reading ${abs}`);
  }
  const rec = join(home.trust, sha256(abs));
  // atomic: a concurrent reader sees the old record or the new one
  await atomicWrite(rec, `${sha256(content)}\t${abs}`, { what: `recording trust for ${abs}` });
  return abs;
}

/** Forgets the file. Returns false when it was not trusted. */
export async function untrust(home: Home, file: string): Promise<boolean> {
  const rec = join(home.trust, sha256(await canonical(file)));
  try {
    rmSync(rec);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fsError(e, `removing the trust record ${rec}`);
  }
}

/** Every trusted file; `current` is false when the file changed (or vanished) since it was trusted. */
export async function listTrusted(home: Home): Promise<{ path: string; current: boolean }[]> {
  let names: string[];
  try {
    names = readdirSync(home.trust);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError(e, `listing ${home.trust}`);
  }
  const out: { path: string; current: boolean }[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{64}$/.test(n))) {
    const rec = readOr(join(home.trust, name), 'utf8') ?? '';
    const tab = rec.indexOf('\t');
    if (tab !== 64) continue; // debris or a foreign file: not a record of ours
    const path = rec.slice(tab + 1);
    const content = readOr(path);
    out.push({ path, current: content !== undefined && sha256(content) === rec.slice(0, 64) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
