// Running the built CLI (`node dist/cli.js`; bin/goarm is the sh launcher; `npm run build` first) and temp homes.
//
//   runGoarm(args, { home, env?, cwd?, input?, timeoutMs? }) -> { code, stdout, stderr }
//       GOARM_HOME=home, NO_COLOR=1, GOARM_INDEX_TTL=0, stdin = input (or closed at once), killed after 120 s
//       (then it throws). GOARM_VULNDB=off unless env sets GOARM_VULNDB_URL: no test may reach vuln.go.dev.
//       cwd defaults to home (a neutral temp dir: no project files above it by accident).
//       The inherited environment is scrubbed of GO*/GOARM_* and proxy variables, so the developer's shell
//       cannot leak into a test; pass them in `env` when a test wants them. Exit by signal -> code 128+n.
//   runNode(script, args, opts)  the same for any Node script (used to test this helper itself).
//   tempHome(prefix?) -> absolute path of a new directory under os.tmpdir();
//   cleanupTempHomes()  removes every directory tempHome() made in this process: call it in afterAll.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const GOARM_BIN = join(REPO_ROOT, 'dist', 'cli.js');

export interface RunOptions {
  home: string;
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const SCRUB = /^(GO|GOARM_)|^(https?_proxy|all_proxy|no_proxy|FORCE_COLOR)$/i;

export function runNode(script: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  // No test may reach vuln.go.dev: vulnerability lookups are off unless a test names its own database.
  // GOARM_INDEX_TTL=0: every run asks for the index (tests publish releases between runs); index-cache.test.ts
  // tests the TTL itself.
  const vulndb = opts.env?.GOARM_VULNDB_URL ? {} : { GOARM_VULNDB: 'off' };
  Object.assign(env, { GOARM_HOME: opts.home, NO_COLOR: '1', GOARM_INDEX_TTL: '0', ...vulndb }, opts.env);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: opts.cwd ?? opts.home,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errOut.push(b));
    child.stdin.on('error', () => {}); // the child may exit without reading its input
    child.stdin.end(opts.input ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(errOut).toString('utf8');
      if (timedOut)
        return fail(
          new Error(
            `${script} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      ok({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
    });
  });
}

export function runGoarm(args: string[], opts: RunOptions): Promise<RunResult> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    return Promise.reject(new Error('dist/cli.js is missing: run `npm run build` before the integration tests'));
  return runNode(GOARM_BIN, args, opts);
}

const homes: string[] = [];

export async function tempHome(prefix = 'goarm-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  homes.push(dir);
  return dir;
}

/** Go makes its module cache read-only; as a non-root user rm needs write bits back first. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => {});
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
    if (e.isDirectory()) await makeWritable(join(dir, e.name));
}

export async function cleanupTempHomes(): Promise<void> {
  for (const dir of homes.splice(0)) {
    await rm(dir, { recursive: true, force: true }).catch(async () => {
      await makeWritable(dir);
      await rm(dir, { recursive: true, force: true });
    });
  }
}
