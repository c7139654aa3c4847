// `goarm prune`: keeps the newest patch of each minor (per platform), the default, GOARM_VERSION, and whatever a
// project goarm has seen resolves to (shim caches, trust records); shows the plan first; removes only after a
// "y" on a terminal (a real pty, via script(1)) or with --yes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, GOARM_BIN, REPO_ROOT, runGoarm, runNode, tempHome } from '../helpers/cli.js';
import { installFake } from './doctor-fixture.js';

const NATIVE = [
  '1.19.5',
  '1.19.13',
  '1.20.1',
  '1.20.3',
  '1.21.2',
  '1.21.5',
  '1.22.3',
  '1.22.4',
  '1.22.5',
  '1.23.2',
  '1.23.4',
];
const CROSS = ['1.23.1-darwin-arm64', '1.23.4-darwin-arm64'];
const REMOVE = ['1.22.4', '1.19.5', '1.23.1-darwin-arm64'];
const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;

interface World {
  base: string;
  home: string;
  run(args: string[], env?: Record<string, string>): ReturnType<typeof runGoarm>;
}

async function makeWorld(): Promise<World> {
  const base = await realpath(await tempHome('goarm-prune-'));
  const home = join(base, 'home');
  for (const v of NATIVE) await installFake(home, v);
  for (const v of CROSS) await installFake(home, v, { os: 'darwin', arch: 'arm64' });
  await writeFile(join(home, 'config.toml'), 'default = "1.21.2"\n');
  const run = (args: string[], env: Record<string, string> = {}) =>
    runGoarm(args, { home, cwd: base, env: { HOME: base, ...env } });
  const project = async (name: string, files: Record<string, string>) => {
    const dir = join(base, name);
    await mkdir(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) await writeFile(join(dir, f), text);
    return dir;
  };
  // A: a shim ran here (the shims' cache miss runs exactly this).
  const a = await project('a', { '.go-version': '1.20.1\n' });
  // D: a shim ran here, then the project was deleted: its cached choice still counts.
  const d = await project('d', { '.go-version': '1.23.2\n' });
  for (const dir of [a, d]) {
    const r = await runNode(join(REPO_ROOT, 'dist', 'shim-entry.js'), ['shim-resolve', dir], { home });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  await rm(d, { recursive: true });
  // B: never run through a shim, but trusted.
  const b = await project('b', { '.goarm.toml': 'go = "1.22.3"\n[env]\nGOFLAGS = "-trimpath"\n' });
  if ((await runGoarm(['trust'], { home, cwd: b })).code !== 0) throw new Error('trust failed');
  return { base, home, run };
}

const installed = async (home: string) => (await readdir(join(home, 'versions'))).sort();

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});
afterAll(cleanupTempHomes);

describe('the plan', () => {
  it(
    'keeps newest patches, the default, seen and trusted projects; removes the rest; ' +
      'not a terminal: removes nothing',
    async () => {
      const r = await w.run(['prune', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout);
      expect(plan.dryRun).toBe(true);
      expect(plan.removed).toEqual([]);
      expect(plan.remove.map((e: { name: string }) => e.name).sort()).toEqual([...REMOVE].sort());
      const why = Object.fromEntries(
        plan.keep.map((e: { name: string; reasons: { kind: string; detail: string }[] }) => [e.name, e.reasons]),
      );
      expect(why['1.19.13']).toEqual([{ kind: 'newest-patch', detail: 'newest go1.19' }]);
      expect(why['1.21.2']).toEqual([{ kind: 'default', detail: 'the global default (1.21.2)' }]);
      expect(why['1.20.1']).toEqual([{ kind: 'project', detail: join(w.base, 'a') }]);
      expect(why['1.23.2']).toEqual([{ kind: 'project', detail: join(w.base, 'd') }]);
      expect(why['1.22.3']).toEqual([{ kind: 'project', detail: join(w.base, 'b') }]);
      expect(why['1.23.4-darwin-arm64']).toEqual([{ kind: 'newest-patch', detail: 'newest go1.23 for darwin/arm64' }]);
      expect(plan.remove.every((e: { bytes: number }) => e.bytes > 0)).toBe(true);

      const text = await w.run(['prune']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^remove {2}go1\.19\.5 +\d+ KB$/m);
      expect(text.stdout).toMatch(/^keep {4}go1\.20\.1 +used in .*\/a$/m);
      expect(text.stdout).toContain('not a terminal, so nothing was removed: run `goarm prune --yes` to remove them');
      const dry = await w.run(['prune', '--dry-run', '--yes']);
      expect(dry.stdout).toContain('dry run: nothing was removed');
      expect(await installed(w.home)).toEqual([...NATIVE, ...CROSS].sort());
    },
  );

  it('GOARM_VERSION (goarm use) keeps its version', async () => {
    const plan = JSON.parse((await w.run(['prune', '--json'], { GOARM_VERSION: '1.19.5' })).stdout);
    expect(plan.keep.find((e: { name: string }) => e.name === '1.19.5').reasons).toEqual([
      { kind: 'shell', detail: 'GOARM_VERSION in this shell (goarm use)' },
    ]);
  });
});

/** Runs `goarm prune` on a pseudo-terminal (script(1)), typing `answer`. */
function onTty(answer: string): Promise<{ code: number; out: string }> {
  return new Promise((ok, fail) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(GO|GOARM_)/.test(k)) env[k] = v;
    Object.assign(env, { GOARM_HOME: w.home, HOME: w.base, NO_COLOR: '1' });
    const child = spawn('script', ['-qec', `'${process.execPath}' '${GOARM_BIN}' prune`, '/dev/null'], {
      cwd: w.base,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // Answer once the question is on the terminal (typed earlier, the pty would echo it before node reads it).
    // readline decorates the prompt with cursor moves: compare without escape sequences.
    let answered = false;
    child.stdout.on('data', () => {
      if (!answered && /\[y\/N\]\s*$/.test(out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
        answered = true;
        child.stdin.end(answer + '\n');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code: code ?? 1, out });
    });
  });
}

describe.skipIf(!hasScript)('on a terminal', () => {
  it('asks; "n" removes nothing, "y" removes exactly the plan and the manifests', async () => {
    const no = await onTty('n');
    expect(no.out).toMatch(/remove 3 versions \(\d+ KB\)\? \[y\/N\]/);
    expect(no.out).toContain('nothing was removed');
    expect(await installed(w.home)).toEqual([...NATIVE, ...CROSS].sort());

    const yes = await onTty('y');
    expect(yes.code, yes.out).toBe(0);
    expect(yes.out).toMatch(/removed go1\.23\.1-darwin-arm64, go1\.22\.4, go1\.19\.5 \(\d+ KB freed\)/);
    const left = [...NATIVE, ...CROSS].filter((v) => !REMOVE.includes(v)).sort();
    expect(await installed(w.home)).toEqual(left);
    expect((await readdir(join(w.home, 'manifests'))).sort()).toEqual(left.map((v) => `${v}.json`).sort());
    // Nothing left to prune.
    expect((await w.run(['prune'])).stdout).toContain('nothing to prune');
  });
});

describe('--yes', () => {
  it('removes the plan without asking', async () => {
    const other = await makeWorld();
    const r = await other.run(['prune', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.dryRun).toBe(false);
    expect([...plan.removed].sort()).toEqual([...REMOVE].sort());
    expect(await installed(other.home)).toEqual([...NATIVE, ...CROSS].filter((v) => !REMOVE.includes(v)).sort());
  });
});
