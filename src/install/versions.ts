// What is installed: the directories under versions/ (each an untouched Go root), newest first.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { err, fsError } from '../core/errors.js';
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
  const names = await readdir(home.versions).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw fsError(e, `reading ${home.versions}`);
  });
  const found: Installed[] = [];
  for (const name of names) {
    const [v, ...plat] = name.split('-');
    const version = normalize(v);
    if (!version || !(await stat(join(home.versions, name, 'bin', 'go')).catch(() => undefined))) continue;
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
  await mkdir(home.staging, { recursive: true });
  const aside = join(home.staging, `${process.pid}-rm-${hit.name}`);
  await rename(hit.path, aside);
  // lazy: the shims' resolve path loads this module
  await (await import('./manifest.js')).removeManifest(home, hit.name);
  await rm(aside, { recursive: true, force: true });
  return hit.name;
}
