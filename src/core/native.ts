// The optional native helper (native/goarm_native.c, built at install time by node-gyp-build). Loaded lazily and
// only by the code that can use it; when it is missing, fails to load, or GOARM_NO_NATIVE is set, callers take
// their pure-JS path. See docs/native.md.
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { PACKAGE_ROOT } from './package.js';

export interface NativeHelper {
  /** Replaces this process with `file` (found on env.PATH, like spawn does). Returns only by throwing. */
  execvp(file: string, args: string[], env: NodeJS.ProcessEnv): never;
  /** macOS only: an integer sysctl by name (sysctlbyname(3)); undefined when unknown or not an integer. */
  sysctlInt?(name: string): number | undefined;
}

interface Binding {
  execve(path: string, argv: string[], envp: string[]): never;
  sysctlInt?(name: string): number | undefined;
}

let loaded: NativeHelper | null | undefined;

/** GOARM_NO_NATIVE=1 (any value but "" or "0") forces the JS fallback. */
const nativeDisabled = (env: NodeJS.ProcessEnv = process.env) => !!env.GOARM_NO_NATIVE && env.GOARM_NO_NATIVE !== '0';

export function nativeHelper(env: NodeJS.ProcessEnv = process.env): NativeHelper | undefined {
  if (nativeDisabled(env)) return undefined;
  if (loaded === undefined) {
    try {
      const binding = createRequire(import.meta.url)('node-gyp-build')(PACKAGE_ROOT) as Binding;
      loaded = wrap(binding);
    } catch {
      loaded = null; // not built (no compiler at install time), or built for another Node ABI
    }
  }
  return loaded ?? undefined;
}

function wrap(b: Binding): NativeHelper {
  return {
    execvp(file, args, env) {
      const path = findOnPath(file, env.PATH);
      if (!path) throw Object.assign(new Error(`${file}: command not found`), { code: 'ENOENT' });
      const envp = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
      try {
        return b.execve(path, [file, ...args], envp);
      } catch (e) {
        const errno = (e as { errno?: number }).errno;
        const code = Object.entries(osConstants.errno).find(([, n]) => n === errno)?.[0];
        throw Object.assign(e as Error, { code, path });
      }
    },
    ...(b.sysctlInt && { sysctlInt: b.sysctlInt }),
  };
}

/**
 * Where execvp(3) (and so Node's spawn) would find `file`: as given when it has a slash, else the first
 * executable regular file in a PATH entry ("" means the current directory). A match that exists but cannot
 * be run is returned when nothing better turns up, so the exec fails with EACCES (126) as spawn's would.
 */
function findOnPath(file: string, pathVar: string | undefined): string | undefined {
  if (file.includes('/')) return file;
  let denied: string | undefined;
  for (const dir of (pathVar ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir || '.', file);
    try {
      if (!statSync(candidate).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      denied ??= candidate;
    }
  }
  return denied;
}
