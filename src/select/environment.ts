// Which installed Go applies in a directory, installing it first when config.toml says auto_install = true.
// Shared by the light entry (shims) and the commands (current, which, exec).
import { delimiter, join } from 'node:path';
import { err } from '../core/errors.js';
import type { Home } from '../core/home.js';
import { host } from '../core/platform.js';
import { nativeVersions } from '../install/versions.js';
import { loadGlobalConfig } from './config.js';
import { missingHint, type Resolution, resolveDir, whyMissing } from './resolve.js';

export async function resolveHere(home: Home, dir: string, env: NodeJS.ProcessEnv): Promise<Resolution> {
  const global = await loadGlobalConfig(home, env);
  const r = await resolveDir(dir, { home, env, installed: await nativeVersions(home), global, hostArch: host().arch });
  if (r.version || !global.autoInstall || r.installSpec === 'system') return r;
  // auto_install = true: install what the directory asks for, then resolve again. Only now load the heavy modules.
  const { install } = await import('../install/pipeline.js');
  process.stderr.write(`goarm: installing go${r.installSpec} for ${dir} (auto_install = true)\n`);
  await install(home, global, r.installSpec, { quiet: false, warn: (m) => process.stderr.write(m + '\n') });
  return resolveDir(dir, { home, env, installed: await nativeVersions(home), global, hostArch: host().arch });
}

/** The environment the shims give a Go command (same rules as shims/shim.sh), for `goarm exec`. */
export function toolEnv(home: Home, r: Resolution & { version: string }, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.GOROOT;
  for (const [k, v] of Object.entries(r.env)) if (k === 'GOTOOLCHAIN' || env[k] === undefined) env[k] = v;
  if (r.archPin && !env.GOARCH) env.GOARCH = r.archPin; // go treats an empty GOARCH as unset; so does the shim
  env.PATH = `${join(rootOf(home, r), 'bin')}${delimiter}${env.PATH ?? ''}`;
  return env;
}

/** The real Go root of a resolution: versions/<v>, or the system Go's root. */
export const rootOf = (home: Home, r: Resolution & { version: string }) => r.root ?? home.version(r.version);

/** A resolution that names an installed version, or the error a shim would print. */
export function requireInstalled(r: Resolution): Resolution & { version: string } {
  if (r.version) return r as Resolution & { version: string };
  throw err(r.installSpec === 'system' ? 'E_NOT_FOUND' : 'E_NOT_INSTALLED', whyMissing(r), missingHint(r));
}
