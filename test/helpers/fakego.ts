// Fake installed Go roots and real shells for the shim tests (test/shell/).
//
//   fakeGoRoot(home, version) -> absolute path of $home/versions/<version>: bin/go and bin/gofmt are #!/bin/sh
//       scripts printing ONE line `<tool>=<version> args=<args> GOARCH=… GOROOT=… GOTOOLCHAIN=… CGO_ENABLED=…
//       GOFLAGS=… CC=… X=…` (unset variables print as "unset"); `go env0 NAME…` prints NAME=value\0 for each named
//       variable that is set instead (for values with newlines). Built aside and renamed into versions/, as
//       `goarm install` does, so versions/ changes exactly once.
//   fakeBin(dir, name, script) -> writes an executable #!/bin/sh script dir/name (e.g. a fake sysctl), returns dir.
//   fakeSysctl(dir) -> a `sysctl` answering `-in hw.optional.arm64` with 1 (Apple Silicon) and
//       `-in sysctl.proc_translated` with $FAKE_TRANSLATED (default 0).
//   runShell(argv, { cwd, env? }) -> { code, stdout, stderr }: runs argv (e.g. ['dash', shim, 'version'] or
//       [shim, 'version'] for its #!/bin/sh) with an environment scrubbed of GO*, GOARM_*, HOSTTYPE and _goarm_*
//       (GOARM_HOME is NOT set: the shim must find its home by itself), killed after 60 s (or timeoutMs).
//   envOf(stdout) -> the `env0` dump as a Map (a name absent from it was unset).
//   field(line, name) -> the value of name=… in a fake go output line (values without spaces).
//   backdate(paths, seconds) -> sets atime/mtime of each path `seconds` into the past.
//   shellsAvailable -> which of dash, bash, zsh are on PATH.
//   makeWorld({ versions, default?, shimsEnv? }) -> World: a temp base (realpath'd) holding home/ (GOARM_HOME) with
//       fake roots for `versions`, config.toml `default`, and shims rendered by the built `goarm shims` (shimsEnv
//       e.g. simulates Apple Silicon). world.files(dir, {rel: text}) writes project files under base/dir;
//       world.shim(how, args, { cwd, env?, tool?, shimPath? }) runs $home/shims/<tool> (or shimPath) under how =
//       dash | bash | zsh | direct, with HOME=base/user unless env says otherwise;
//       world.goarm(args, { cwd?, env? }) runs the built CLI with GOARM_HOME = home.
//       world.settle() dates everything under base (but the resolve caches) 5 s back, so that a cache written
//       now is fresh at once: without it every file made in the last second keeps the cache stale (by design).
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, realpath, rename, utimes, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { type RunResult, runGoarm, tempHome } from './cli.js';

// `env0 NAME…` prints each named variable that is set as NAME=value\0: values with newlines survive, and unset
// stays distinguishable from empty. Portable sh (printf \000), no `env -0`.
const ENV0 =
  'if [ "${1-}" = env0 ]; then shift; ' +
  'for n in "$@"; do eval "[ -z \\"\\${$n+x}\\" ] || printf \'%s=%s\\\\000\' \\"\\$n\\" \\"\\$$n\\""; done; ' +
  'exit 0; fi';
const TOOL = (tool: string, version: string) =>
  [
    '#!/bin/sh',
    ENV0,
    `echo "${tool}=${version} args=$* ` +
      'GOARCH=${GOARCH-unset} GOROOT=${GOROOT-unset} GOTOOLCHAIN=${GOTOOLCHAIN-unset} ' +
      'CGO_ENABLED=${CGO_ENABLED-unset} GOFLAGS=${GOFLAGS-unset} CC=${CC-unset} X=${X-unset}"',
    '',
  ].join('\n');

export async function fakeGoRoot(home: string, version: string): Promise<string> {
  const versions = join(home, 'versions');
  await mkdir(versions, { recursive: true });
  const aside = await mkdtemp(join(versions, '.fakego-')); // not a version name: listInstalled skips it
  await mkdir(join(aside, 'bin'));
  for (const tool of ['go', 'gofmt']) await writeFile(join(aside, 'bin', tool), TOOL(tool, version), { mode: 0o755 });
  await writeFile(join(aside, 'VERSION'), `go${version}\ntime 2024-01-01T00:00:00Z\n`);
  await chmod(aside, 0o755);
  const root = join(versions, version);
  await rename(aside, root);
  return root;
}

export async function fakeBin(dir: string, name: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, name), 0o755);
  return dir;
}

export const fakeSysctl = (dir: string) =>
  fakeBin(
    dir,
    'sysctl',
    `case "$2" in
  hw.optional.arm64) echo 1 ;;
  sysctl.proc_translated) echo "\${FAKE_TRANSLATED:-0}" ;;
  *) echo "sysctl: unknown oid '$2'" >&2; exit 1 ;;
esac`,
  );

const SCRUB = /^(GO|GOARM_|_goarm)|^(HOSTTYPE|https?_proxy|all_proxy|no_proxy)$/i;

export function runShell(
  argv: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(opts.env ?? {}))
    if (v === undefined) delete env[k];
    else env[k] = v;
  return new Promise((ok, fail) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errOut.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ok({
        code: code ?? 128 + (signal ? constants.signals[signal] : 0),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
      });
    });
  });
}

export function envOf(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const entry of stdout.split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) m.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return m;
}

export function field(line: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1];
}

export async function backdate(paths: string[], seconds: number): Promise<void> {
  const t = Date.now() / 1000 - seconds;
  for (const p of paths) await utimes(p, t, t);
}

export const shellsAvailable = ['dash', 'bash', 'zsh'].filter(
  (sh) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0,
);

export type How = 'dash' | 'bash' | 'zsh' | 'direct';
export const HOWS: How[] = [...(shellsAvailable as How[]), 'direct'];

export interface World {
  base: string;
  home: string;
  dir(rel: string): string;
  files(dir: string, files: Record<string, string>): Promise<string>;
  shimPath(tool?: string): string;
  shim(
    how: How,
    args: string[],
    opts: { cwd: string; env?: Record<string, string | undefined>; tool?: string; shimPath?: string },
  ): Promise<RunResult>;
  goarm(args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<RunResult>;
  settle(): Promise<void>;
}

export async function makeWorld(opts: {
  versions: string[];
  default?: string;
  shimsEnv?: Record<string, string>;
}): Promise<World> {
  const base = await realpath(await tempHome('goarm-shell-'));
  const home = join(base, 'home');
  for (const v of opts.versions) await fakeGoRoot(home, v);
  if (opts.default) await writeFile(join(home, 'config.toml'), `# global settings\ndefault = "${opts.default}"\n`);
  const world: World = {
    base,
    home,
    dir: (rel) => join(base, rel),
    async files(dir, files) {
      const at = join(base, dir);
      await mkdir(at, { recursive: true });
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(at, rel)), { recursive: true });
        await writeFile(join(at, rel), text);
      }
      return at;
    },
    shimPath: (tool = 'go') => join(home, 'shims', tool),
    shim: (how, args, o) => {
      const shim = o.shimPath ?? world.shimPath(o.tool);
      // HOME points into base: whatever a broken shim would write under ~ stays in the throw-away tree.
      return runShell(how === 'direct' ? [shim, ...args] : [how, shim, ...args], {
        cwd: o.cwd,
        env: { HOME: join(base, 'user'), ...o.env },
      });
    },
    goarm: (args, o = {}) => runGoarm(args, { home, cwd: o.cwd ?? base, env: o.env }),
    async settle() {
      const all: string[] = [];
      const walk = async (d: string) => {
        all.push(d);
        for (const e of await readdir(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (p === join(home, 'cache', 'resolve')) continue;
          if (e.isDirectory()) await walk(p);
          else all.push(p);
        }
      };
      await walk(base);
      await backdate(all, 5);
    },
  };
  await mkdir(join(home, 'cache', 'resolve'), { recursive: true }); // so the first cache write leaves home/ alone
  const r = await world.goarm(['shims'], { env: opts.shimsEnv });
  if (r.code !== 0) throw new Error(`goarm shims failed (${r.code}): ${r.stderr}`);
  return world;
}
