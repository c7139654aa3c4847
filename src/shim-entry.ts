// The light entry point for shims and shell hooks: no yargs, no HTTP, no OpenPGP unless a version must be
// installed (auto_install). `node shim-entry.js shim-resolve <dir>` resolves <dir> and rewrites its resolve cache.
import { ExitCode, render } from './core/errors.js';
import { commandEnded } from './core/exit.js';
import { goarmHome } from './core/home.js';
import { writeStdout } from './core/stdout.js';
import { hookResolve, resolveAndCache } from './shell/hook.js';

async function main(argv: string[]): Promise<number> {
  const [cmd, arg] = argv;
  try {
    if (cmd === 'shim-resolve' && arg) {
      await resolveAndCache(arg, { fish: false });
      return 0;
    }
    // The shell hooks of `goarm use` (shell/hook.ts), and tab completion's remote versions (cached index only).
    if (cmd === 'hook-resolve' && arg) return hookResolve(arg);
    if (cmd === 'complete' && arg === 'remote') {
      writeStdout(
        (await (await import('./install/release-index.js')).cachedVersions(goarmHome())).map((v) => v + '\n').join(''),
      );
      return 0;
    }
    process.stderr.write(`goarm light entry: unknown command ${cmd ?? ''}\n`);
    return 2;
  } catch (e) {
    return render(e);
  } finally {
    await commandEnded(); // auto_install may have opened HTTP connections
  }
}

process.exitCode = ExitCode.INTERNAL; // until main() settles: a pending promise that lets Node exit is a failure
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code; // no top-level await: the bundle is CommonJS (scripts/bundle.mjs)
});
