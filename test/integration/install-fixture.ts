// Shared set-up for the install-*.test.ts files: a throw-away GOARM_HOME inside a private parent directory,
// releases published (signed, hashed) on a local mirror, and the one assertion every refused install must pass.
//
//   makeEnv(mirror, keys, env?)  -> Env: parent/home is GOARM_HOME (config.toml trusts `keys`), parent/outside is
//                                   a directory a hostile archive might aim at; env.run(args) runs the built CLI.
//   publish(mirror, signer, version, opts?) -> the host file's name and bytes, after adding the release.
//   expectRefused(env, res, { exit, code, word }) -> the failure contract (exit code, message, nothing left behind).
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { type RunResult, runGoarm, tempHome } from '../helpers/cli.js';
import { goArchiveName, HOST, makeGoTarball } from '../helpers/gotree.js';
import { signDetached, type TestKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror, MirrorFile } from '../helpers/mirror.js';

export interface Env {
  parent: string;
  home: string;
  outside: string;
  /** files and their sizes under parent/, GOARM_HOME excluded, taken when the env was made */
  before: string[];
  run(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

export const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
/** Entries of a directory; [] when it does not exist. */
export const ls = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** Every path (with its size for files) under `dir`, recursively, skipping `skip`. */
export async function listTree(dir: string, skip?: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (p === skip) continue;
      if (e.isDirectory()) {
        out.push(relative(dir, p) + '/');
        await walk(p);
      } else
        out.push(`${relative(dir, p)} ${e.isFile() ? (await stat(p)).size : e.isSymbolicLink() ? 'symlink' : 'other'}`);
    }
  };
  await walk(dir);
  return out.sort();
}

export async function makeEnv(mirror: Mirror, keys: TestKey[], env: Record<string, string> = {}): Promise<Env> {
  const parent = await tempHome('goarm-install-');
  const home = join(parent, 'home');
  const outside = join(parent, 'outside');
  const keyFiles = await Promise.all(keys.map((k) => writeKeyFile(join(parent, 'keys'), k)));
  await writeKeyFile(outside, keys[0], 'decoy.txt'); // so that "outside" exists: a broken extractor could write into it
  await writeTrustConfig(home, { indexUrl: mirror.indexUrl, downloadBase: mirror.downloadBase, keyFiles });
  const before = await listTree(parent, home);
  return {
    parent,
    home,
    outside,
    before,
    run: (args, extra = {}) => runGoarm(args, { home, env: { GOARM_RETRY_DELAY_MS: '10', ...env, ...extra } }),
  };
}

export interface PublishOptions {
  stable?: boolean;
  /** the host archive's bytes; default: a well-formed Go tree of `version` */
  body?: Buffer;
  /** signature text; null = no .asc on the mirror; default: signed by `signer` */
  asc?: string | null;
  /** overrides the index's sha256 of the host archive */
  sha256?: string;
  binArch?: string;
  /** further files of the same release (other platforms), signed by `signer` */
  more?: { os: string; arch: string }[];
}

export async function publish(
  mirror: Mirror,
  signer: TestKey,
  version: string,
  opts: PublishOptions = {},
): Promise<{ filename: string; body: Buffer }> {
  const body = opts.body ?? (await makeGoTarball({ version, binArch: opts.binArch }));
  const asc = opts.asc === undefined ? await signDetached(body, signer) : opts.asc;
  const files: MirrorFile[] = [{ os: HOST.os, arch: HOST.arch, body, asc, sha256: opts.sha256 }];
  for (const p of opts.more ?? []) {
    const b = await makeGoTarball({ version, ...p });
    files.push({ ...p, body: b, asc: await signDetached(b, signer) });
  }
  mirror.addRelease({ version, stable: opts.stable ?? !/rc|beta/.test(version), files });
  return { filename: goArchiveName(version, HOST.os, HOST.arch), body };
}

/** Where makeHostileTarball's members would land if an extractor obeyed them (cwd = staging/<random>/). */
export const hostileTargets = (env: Env) => [
  join(env.home, 'staging', 'goarm-hostile-dotdot.txt'),
  '/tmp/goarm-hostile-absolute.txt',
  '/goarm-hostile-symlink-target',
  join(env.outside, 'pwned.txt'),
  join(env.parent, 'goarm-dotdot.txt'),
];

/**
 * The contract of every refused install: the documented exit code, one `error: ... [E_CODE]` line naming the cause
 * plus a hint, nothing under versions/ for `version`, no staging debris, and nothing written outside GOARM_HOME.
 */
export async function expectRefused(
  env: Env,
  res: RunResult,
  want: { exit: number; code: string; word: RegExp | string; version?: string },
): Promise<void> {
  const why = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
  expect(res.code, why).not.toBe(0);
  expect(res.code, why).toBe(want.exit);
  expect(res.stderr, why).toMatch(new RegExp(`^error: .*\\[${want.code}\\]$`, 'm'));
  expect(res.stderr, why).toMatch(typeof want.word === 'string' ? new RegExp(want.word, 'i') : want.word);
  expect(res.stderr, why).toMatch(/^hint: \S/m);
  const versions = await ls(join(env.home, 'versions'));
  if (want.version) expect(versions.filter((n) => n === want.version || n.startsWith(want.version + '-'))).toEqual([]);
  for (const n of versions)
    expect(await exists(join(env.home, 'versions', n, 'VERSION')), `versions/${n} is incomplete`).toBe(true);
  expect(await ls(join(env.home, 'staging'))).toEqual([]);
  expect(await listTree(env.parent, env.home)).toEqual(env.before);
  for (const t of hostileTargets(env)) expect(await exists(t), `${t} must not exist`).toBe(false);
}
