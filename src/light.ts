// The light entry point for shims and shell hooks: no yargs, no HTTP, no OpenPGP unless a version must be
// installed (auto_install). `node light.js shim-resolve <dir>` resolves <dir> and rewrites its resolve cache.
import { GoarmError, render } from './errors.js';
import { resolveHere } from './here.js';
import { goarmHome } from './home.js';
import type { Resolution } from './resolve.js';
import { renderCache, writeCache } from './shims.js';

/** Caches what `dir` resolves to without GOARM_VERSION, so the cache serves every shell in that directory. */
async function shimResolve(dir: string): Promise<void> {
  const home = goarmHome();
  const started = Date.now();
  const { GOARM_VERSION, ...dirEnv } = process.env;
  let r: Resolution;
  let onlyWithEnvVersion = false;
  try {
    r = await resolveHere(home, dir, dirEnv);
  } catch (e) {
    // The directory alone gives no usable version, but this shell chose one with `goarm use`: cache the
    // settings for shells that have GOARM_VERSION set, and nothing for the others.
    if (!GOARM_VERSION || !(e instanceof GoarmError) || e.code === 'E_CONFIG') throw e;
    r = await resolveHere(home, dir, process.env);
    onlyWithEnvVersion = true;
  }
  await writeCache(home, dir, renderCache(home, r, { onlyWithEnvVersion }), started);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, arg] = argv;
  try {
    if (cmd === 'shim-resolve' && arg) {
      await shimResolve(arg);
      return 0;
    }
    // The shell hooks of `goarm use` (src/hook.ts), and tab completion's remote versions (cached index only).
    if (cmd === 'hook-resolve' && arg) return (await import('./hook.js')).hookResolve(arg);
    if (cmd === 'complete' && arg === 'remote') {
      process.stdout.write((await (await import('./completion.js')).cachedRemoteVersions(goarmHome())).map((v) => v + '\n').join(''));
      return 0;
    }
    process.stderr.write(`goarm light entry: unknown command ${cmd ?? ''}\n`);
    return 2;
  } catch (e) {
    return render(e);
  }
}

process.exitCode = await main(process.argv.slice(2));
