// Every path under GOARM_HOME lives here; no other module joins paths into the home.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { err } from './errors.js';

export interface Home {
  root: string;
  bin: string;
  /** bin/goarm: the stable entry point the shims, hooks and rc line run (see shell/launcher.ts). */
  launcher: string;
  /** init/init.<shell>: the shell integration, rendered ahead so that starting a shell starts no Node. */
  init: string;
  shims: string;
  versions: string;
  downloads: string;
  cache: string;
  indexCache: string;
  vulnCache: string;
  resolveCache: string;
  staging: string;
  locks: string;
  config: string;
  trust: string;
  manifests: string;
  logins: string;
  /** keychain/node_modules/keytar: the optional keychain module, installed there by the user. */
  keychain: string;
  version(dirName: string): string;
  download(file: string): string;
  lock(name: string): string;
}

/** GOARM_HOME, else ~/.goarm: unchecked (goarmHome checks it). */
export const homeRoot = (env: NodeJS.ProcessEnv = process.env): string =>
  resolve(env.GOARM_HOME || join(homedir(), '.goarm'));
/** V8 code caches of goarm's own bundles (src/boot.ts, which runs before anything else and cannot use Home). */
export const codeCacheDir = (root: string): string => join(root, 'cache', 'code');

export function goarmHome(env: NodeJS.ProcessEnv = process.env): Home {
  const root = homeRoot(env);
  checkRoot(root);
  const cache = join(root, 'cache');
  const h: Home = {
    root,
    bin: join(root, 'bin'),
    launcher: join(root, 'bin', 'goarm'),
    init: join(root, 'init'),
    shims: join(root, 'shims'),
    versions: join(root, 'versions'),
    downloads: join(root, 'downloads'),
    cache,
    indexCache: join(cache, 'index.jsonl'), // install/release-index.ts owns its format
    vulnCache: join(cache, 'vulndb.json'),
    resolveCache: join(cache, 'resolve'),
    staging: join(root, 'staging'),
    locks: join(root, 'locks'),
    config: join(root, 'config.toml'),
    trust: join(root, 'trust'),
    manifests: join(root, 'manifests'),
    logins: join(root, 'logins.json'),
    keychain: join(root, 'keychain'),
    version: (d) => join(h.versions, safeName(d)),
    download: (f) => join(h.downloads, safeName(f)),
    lock: (n) => join(h.locks, safeName(n) + '.lock'),
  };
  return h;
}

/** A single path component we are willing to create: no separators, no dot-dot, nothing hidden. */
export function safeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.includes('..'))
    throw new Error(`unsafe path component: ${JSON.stringify(name)}`);
  return name;
}

/**
 * A home that exists must be a directory: a regular file there (or on the way there) would otherwise surface as
 * ENOTDIR from whichever write came first, or as "no Go versions installed". One stat; a missing home is fine.
 */
function checkRoot(root: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') return; // missing (created on first write), or EACCES later
    isDir = false;
  }
  if (!isDir)
    throw err(
      'E_HOME',
      `GOARM_HOME (${root}) is not a directory`,
      'move that file away, or set GOARM_HOME to a directory (default ~/.goarm)',
    );
}
