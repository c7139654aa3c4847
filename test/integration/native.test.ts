// `goarm exec` with the native helper (execve: goarm becomes the command) and with the JS fallback (spawn and
// forward), through the built CLI. Both modes must behave the same to the caller; the native one additionally
// keeps the pid. The native helper must be built (`npm install` builds it): without it the native-mode tests
// fail, unless GOARM_NO_NATIVE is set for the whole run (a machine without a compiler).
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeHelper } from '../../src/core/native.js';
import { host } from '../../src/core/platform.js';
import { cleanupTempHomes, GOARM_BIN, type RunResult } from '../helpers/cli.js';
import { fakeSysctl, makeWorld, type World } from '../helpers/fakego.js';

const SKIP_NATIVE = !!process.env.GOARM_NO_NATIVE;
const MODES = [
  { mode: 'native', env: {} as Record<string, string>, skip: SKIP_NATIVE },
  { mode: 'fallback', env: { GOARM_NO_NATIVE: '1' }, skip: false },
];

let w: World;
let cwd: string;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5'], default: '1.22' });
  cwd = await w.files('proj', { 'x.go': 'package x\n' });
});
afterAll(cleanupTempHomes);

interface Started {
  pid: number;
  waitFor(text: string): Promise<void>;
  done: Promise<RunResult>;
}

/** `node bin/goarm args…` with its pid in hand (runGoarm hides it); killed after 30 s. */
function start(args: string[], env: Record<string, string>, input?: string): Started {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^GO/i.test(k)));
  const child = spawn(process.execPath, [GOARM_BIN, ...args], {
    cwd,
    env: { ...base, GOARM_HOME: w.home, NO_COLOR: '1', GOARM_VULNDB: 'off', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (b: Buffer) => {
    stdout += b;
    waiters.forEach((f) => f());
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<RunResult>((ok) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      ok({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
    };
    child.on('close', finish);
    // An orphaned command (a broken fallback) would hold the pipes open: don't wait for it forever.
    child.on('exit', (code, signal) => setTimeout(() => finish(code, signal), 2000).unref());
  });
  const waitFor = (text: string) =>
    new Promise<void>((ok, fail) => {
      const check = () => stdout.includes(text) && ok();
      waiters.push(check);
      check();
      done.then((r) => fail(new Error(`exited (${r.code}) before printing ${text}: ${r.stderr}`)));
    });
  return { pid: child.pid!, waitFor, done };
}

const run = (cmd: string[], env: Record<string, string>, input?: string) =>
  start(['exec', '--', ...cmd], env, input).done;

it(
  'the native helper is built and loads ' +
    '(npm install builds it; set GOARM_NO_NATIVE on a machine without a compiler)',
  () => {
    if (SKIP_NATIVE) return;
    const n = nativeHelper();
    expect(
      n,
      'build/Release/goarm_native.node is missing or does not load: run `npm install` or `npx node-gyp-build`',
    ).toBeDefined();
    expect(typeof n!.execvp).toBe('function');
    expect(nativeHelper({ GOARM_NO_NATIVE: '1' })).toBeUndefined();
  },
);

describe.each(MODES)('goarm exec ($mode)', ({ mode, env, skip }) => {
  it.skipIf(skip)(`native replaces the process (same pid), the fallback runs a child (${mode})`, async () => {
    const g = start(['exec', '--', 'sh', '-c', 'echo $$'], env);
    const r = await g.done;
    expect(r.code, r.stderr).toBe(0);
    if (mode === 'native') expect(Number(r.stdout)).toBe(g.pid);
    else expect(Number(r.stdout)).not.toBe(g.pid);
  });

  it.skipIf(skip)('passes the exit status through, a signal death as 128+n', async () => {
    expect((await run(['sh', '-c', 'exit 7'], env)).code).toBe(7);
    expect((await run(['sh', '-c', 'exit 0'], env)).code).toBe(0);
    expect((await run(['sh', '-c', 'kill -KILL $$'], env)).code).toBe(137);
    expect((await run(['sh', '-c', 'kill -TERM $$'], env)).code).toBe(143);
  });

  it.skipIf(skip)('a missing command is 127, one that cannot be run is 126', async () => {
    const missing = await run(['no-such-command-goarm'], env);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command-goarm: command not found');
    const notExec = join(w.base, 'not-executable');
    await writeFile(notExec, 'echo never\n');
    const r = await run([notExec], env);
    expect(r.code).toBe(126);
    expect(r.stdout).toBe('');
  });

  it.skipIf(skip)(
    'finds the command on the tool PATH (the resolved go first) and runs #!-less scripts with /bin/sh',
    async () => {
      const r = await run(['go', 'version'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^go=1\.22\.5 args=version /);
      const script = join(w.base, `plain-${mode}`);
      await writeFile(script, 'echo "plain script $1"\n');
      await chmod(script, 0o755);
      expect((await run([script, 'ran'], env)).stdout).toBe('plain script ran\n');
    },
  );

  it.skipIf(skip)('stdin, stdout and stderr pass through (1 MiB each way)', async () => {
    const big = 'goarm\n'.repeat(175_000);
    const r = await run(['sh', '-c', 'cat; echo to-stderr >&2'], env, big);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(big.length);
    expect(r.stdout === big).toBe(true);
    expect(r.stderr).toBe('to-stderr\n');
  });

  it.skipIf(skip)('a SIGTERM sent to the goarm pid reaches the command', async () => {
    const g = start(
      ['exec', '--', 'sh', '-c', 'trap "echo got-term; exit 3" TERM; echo "ready $$"; while :; do sleep 0.05; done'],
      env,
    );
    await g.waitFor('\n');
    process.kill(g.pid, 'SIGTERM');
    const r = await g.done;
    const shPid = Number(/ready (\d+)/.exec(r.stdout)?.[1]);
    try {
      expect(r.stdout).toBe(`ready ${shPid}\ngot-term\n`);
      expect(r.code).toBe(3);
    } finally {
      try {
        process.kill(shPid, 'SIGKILL');
      } catch {
        /* gone, as it should be */
      }
    }
  });

  // Node ignores SIGPIPE and marks its stdio close-on-exec (and may make it non-blocking); none of that may leak
  // into the command. /proc shows it exactly, so Linux only.
  it.skipIf(skip || process.platform !== 'linux')(
    'the command starts with default signals and plain, inherited stdio',
    async () => {
      // grep reads its own /proc entries (a shell's mask is briefly all-blocked while it forks).
      const r = await run(
        [
          'grep',
          '-E',
          '^(SigIgn|SigBlk|flags):',
          '/proc/self/status',
          ...[0, 1, 2].map((fd) => `/proc/self/fdinfo/${fd}`),
        ],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SigBlk:\s+0+\n/);
      expect(r.stdout).toMatch(/SigIgn:\s+0+\n/);
      const flags = [...r.stdout.matchAll(/flags:\s+([0-7]+)/g)].map((m) => parseInt(m[1], 8));
      expect(flags).toHaveLength(3);
      for (const f of flags) expect(f & fsConstants.O_NONBLOCK, 'O_NONBLOCK').toBe(0);
    },
  );

  it.skipIf(skip)('SIGPIPE kills the writer of a closed pipe, as in a shell', async () => {
    const r = await run(['sh', '-c', 'yes | head -n 1'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('y\n');
    expect(r.stderr).toBe('');
  });
});

it.skipIf(SKIP_NATIVE)(
  'native: SIGKILL to the goarm pid is SIGKILL to the command, nothing is left running',
  async () => {
    const g = start(['exec', '--', 'sh', '-c', 'echo $$; exec sleep 30'], {});
    await g.waitFor('\n');
    process.kill(g.pid, 'SIGKILL');
    const r = await g.done;
    const pid = Number(r.stdout);
    try {
      expect(r.code).toBe(137);
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone, as it should be */
      }
    }
  },
);

describe('host detection with the helper loaded', () => {
  it('a simulated darwin still asks the (fake) sysctl command, never sysctlbyname', async () => {
    const dir = await fakeSysctl(join(w.base, 'fakebin'));
    const h = host({ GOARM_SIMULATE_OS: 'darwin', PATH: `${dir}:/usr/bin:/bin`, FAKE_TRANSLATED: '1' });
    expect(h).toEqual({ os: 'darwin', arch: 'arm64', appleSilicon: true, translated: true });
  });

  it.skipIf(process.platform !== 'darwin' || SKIP_NATIVE)(
    'on a Mac, sysctlbyname agrees with the sysctl command',
    async () => {
      const { execFileSync } = await import('node:child_process');
      const sysctlInt = nativeHelper()!.sysctlInt!;
      for (const name of ['hw.optional.arm64', 'sysctl.proc_translated', 'hw.ncpu']) {
        // -i: unknown names print nothing
        const out = execFileSync('sysctl', ['-in', name], { encoding: 'utf8' }).trim();
        expect(sysctlInt(name), name).toBe(out === '' ? undefined : Number(out));
      }
      expect(sysctlInt('no.such.sysctl.goarm')).toBeUndefined();
    },
  );
});
