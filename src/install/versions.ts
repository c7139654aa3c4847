// What is installed: the directories under versions/ (each an untouched Go root), newest first.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { err, fsError } from '../core/errors.js';
import { exists } from '../core/fs.js';
import { compare, normalize } from '../core/goversion.js';
import type { Home } from '../core/home.js';

export interface Installed {
  name: string;
  version: string;
  platform?: string;
  path: string;
}

export async function listInstalled(home: Home): Promise<Installed[]> {
  // Nothing installed yet is an empty list; a versions/ that cannot be read is an error, never "none installed".
  // Synchronous, like core/fs.ts: every shim cache miss and light command lists versions/.
  let names: string[];
  try {
    names = readdirSync(home.versions);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(e, `reading ${home.versions}`);
    names = [];
  }
  const found: Installed[] = [];
  for (const name of names) {
    const [v, ...plat] = name.split('-');
    const version = normalize(v);
    if (!version || !(await exists(join(home.versions, name, 'bin', 'go')))) continue;
    found.push({ name, version, platform: plat.length ? plat.join('/') : undefined, path: join(home.versions, name) });
  }
  return found.sort((a, b) => compare(b.version, a.version) || a.name.localeCompare(b.name));
}

/** Host-native installed versions only: what a shim may run. */
export const nativeVersions = async (home: Home) =>
  (await listInstalled(home)).filter((i) => !i.platform).map((i) => i.version);

/** Removes versions/<name> atomically (rename out of sight, then delete). Exact names only, never a fuzzy match. */
export async function uninstall(home: Home, name: string): Promise<string> {
  const all = await listInstalled(home);
  const hit = all.find((i) => i.name === name || i.name === normalize(name));
  if (!hit) {
    const close = all.filter((i) => i.name.startsWith(name.replace(/^go/, ''))).map((i) => i.name);
    throw err(
      'E_NOT_INSTALLED',
      `go${name.replace(/^go/, '')} is not installed`,
      close.length ? `uninstall takes an exact version; installed: ${close.join(', ')}` : 'see `goarm list`',
    );
  }
  mkdirSync(home.staging, { recursive: true });
  const aside = join(home.staging, `${process.pid}-rm-${hit.name}`);
  renameSync(hit.path, aside);
  // lazy: the shims' resolve path loads this module
  await (await import('./manifest.js')).removeManifest(home, hit.name);
  rmSync(aside, { recursive: true, force: true });
  return hit.name;
}
