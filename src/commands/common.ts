// What every command needs: the home, the global config, and output helpers that respect --json and NO_COLOR.

import { join } from 'node:path';
import { goarmHome, type Home } from '../core/home.js';
import { writeStdout } from '../core/stdout.js';
import { nativeVersions } from '../install/versions.js';
import { loadGlobalConfig, PROJECT_FILE } from '../select/config.js';
import { pickInstalled } from '../select/resolve.js';

export async function context() {
  const home = goarmHome();
  const cfg = await loadGlobalConfig(home);
  return { home, cfg };
}

export const out = (line = '') => writeStdout(line + '\n');
export const warn = (line: string) => process.stderr.write(line + '\n');
export const printJson = (data: unknown) => out(JSON.stringify(data, null, 2));

/** Says how to install a spec that no installed version satisfies; returns the installed match. */
export async function installedHint(home: Home, spec: string): Promise<string | undefined> {
  if (spec === 'system') return undefined; // the go on PATH, not one goarm installs
  const hit = pickInstalled(spec, await nativeVersions(home));
  if (!hit) warn(`note: no installed version matches ${spec}; run: goarm install ${spec}`);
  return hit;
}

/** The project file a trust command names: ./.goarm.toml, a directory's, or a .toml path as given. */
export const target = (path?: string) =>
  !path ? join(process.cwd(), PROJECT_FILE) : path.endsWith('.toml') ? path : join(path, PROJECT_FILE);

/** A yes/no question on the terminal (prune, upgrade --prune); anything but y/yes is no. */
export async function ask(question: string): Promise<boolean> {
  const rl = process
    .getBuiltinModule('node:readline/promises')
    .createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Both ends are a terminal: questions may be asked. */
export const interactive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);
