// src/boot.ts (dist/cli.js, dist/shim-entry.js) runs each bundle through a V8 code cache in GOARM_HOME/cache/code.
// A cache is written at the first run of a command and used after; a damaged, foreign or unwritable cache costs
// only the compile, never the command; other builds' caches are removed; GOARM_HOME is never created for it.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, REPO_ROOT, runGoarm, runNode, tempHome } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 60_000 });
afterAll(cleanupTempHomes);

const DEBUG = { GOARM_DEBUG: '1' };
const state = (stderr: string) => /goarm: code cache: \S+: (none|used|rejected)/.exec(stderr)?.[1];
const files = async (home: string) => (await readdir(join(home, 'cache', 'code'))).sort();

describe('the code cache', () => {
  it('is written by the first run of a command, then used, and the output is the same', async () => {
    const home = await tempHome();
    const first = await runGoarm(['list', '--json'], { home, env: DEBUG });
    expect(first.code, first.stderr).toBe(0);
    expect(state(first.stderr)).toBe('none');
    expect(first.stderr).toMatch(/: written/);
    const names = await files(home);
    expect(names).toEqual([expect.stringMatching(/^cli-[0-9a-f]{16}-v\d+\.\d+\.\d+-[a-z0-9]+-list$/)]);
    expect(names[0]).toContain(`-${process.version}-${process.arch}-`);
    const second = await runGoarm(['list', '--json'], { home, env: DEBUG });
    expect(state(second.stderr)).toBe('used');
    expect(second.stderr).not.toMatch(/: written/);
    expect(second.stdout).toBe(first.stdout);
    expect(second.code).toBe(0);
    // Another command has its own file; the shims' entry too.
    await runGoarm(['current'], { home });
    // Nothing is configured in this home: the resolve fails (E_NO_VERSION), and its code is cached all the same.
    const shim = await runNode(join(REPO_ROOT, 'dist', 'shim-entry.js'), ['shim-resolve', home], { home });
    expect(shim.stderr).toMatch(/E_NO_VERSION/);
    const all = await files(home);
    expect(all.some((n) => n.endsWith('-current'))).toBe(true);
    expect(all.some((n) => /^shim-entry-[0-9a-f]{16}-.*-shim-resolve$/.test(n))).toBe(true);
  });

  it('runs commands that load yargs and ES modules from a cache (no dynamic import is left)', async () => {
    const home = await tempHome();
    for (const expected of ['none', 'used']) {
      const r = await runGoarm(['install', '--help'], { home, env: DEBUG });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/goarm install/);
      expect(state(r.stderr)).toBe(expected);
    }
  });

  it('recompiles over a damaged cache, rewrites it, and the command still succeeds', async () => {
    const home = await tempHome();
    await runGoarm(['--version'], { home });
    const [name] = await files(home);
    const file = join(home, 'cache', 'code', name);
    const good = await readFile(file);
    // A flipped byte inside V8's data passes V8's own header checks and would crash Node: the second copy catches it.
    const flipped = (at: number) => Buffer.from(good).fill(0xa5, at, at + 4);
    const damaged = [Buffer.alloc(0), Buffer.from('not a cache'), good.subarray(0, 100), flipped(4), flipped(2000)];
    for (const junk of [...damaged, flipped(good.length >> 1), flipped(good.length - 8)]) {
      await writeFile(file, junk);
      const r = await runGoarm(['--version'], { home, env: DEBUG });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(state(r.stderr)).toBe('rejected');
      expect(r.stderr).toMatch(/: written/);
      expect(state((await runGoarm(['--version'], { home, env: DEBUG })).stderr)).toBe('used');
    }
  });

  it("removes other builds' caches and temp files written over a day ago, and leaves other files alone", async () => {
    const home = await tempHome();
    const dir = join(home, 'cache', 'code');
    await mkdir(dir, { recursive: true });
    const build = (b: string, cmd: string) => `cli-${b}-${process.version}-${process.arch}-${cmd}`;
    const [stale, recent] = [build('0123456789abcdef', 'list'), build('fedcba9876543210', 'list')];
    const other = 'shim-entry-0123456789abcdef-v1-x-shim-resolve';
    const names0 = await runGoarm(['--version'], { home }).then(() => files(home));
    const leftover = `${names0[0]}.12345.tmp`; // this build's, from a run killed while writing
    for (const n of [stale, recent, other, leftover, 'notes.txt']) await writeFile(join(dir, n), 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const n of [stale, other, leftover]) await utimes(join(dir, n), twoDaysAgo, twoDaysAgo);
    expect((await runGoarm(['list'], { home })).code).toBe(0);
    const names = await files(home);
    expect(names).not.toContain(stale);
    expect(names).not.toContain(leftover);
    expect(names).toContain(names0[0]);
    expect(names).toContain(recent); // another build in use alongside this one
    expect(names).toContain(other); // another entry's: its own writes decide
    expect(names).toContain('notes.txt');
    expect(names.some((n) => /^cli-[0-9a-f]{16}-.*-list$/.test(n))).toBe(true);
  });

  it('never creates GOARM_HOME, and a cache that cannot be written costs nothing but time', async () => {
    const parent = await tempHome();
    const missing = join(parent, 'no-home-yet');
    const r = await runGoarm(['--version'], { home: missing, cwd: parent });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(missing)).toBe(false);

    // cache/code is a file: nothing can be written there, as root too.
    const home = await tempHome();
    await mkdir(join(home, 'cache'));
    await writeFile(join(home, 'cache', 'code'), 'in the way');
    for (const args of [['list'], ['which', 'go'], ['--version']]) {
      const quiet = await runGoarm(args, { home });
      expect(quiet.stderr).not.toMatch(/code cache/);
      const loud = await runGoarm(args, { home, env: DEBUG });
      expect(loud.code).toBe(quiet.code);
      expect(loud.stdout).toBe(quiet.stdout);
      expect(loud.stderr).toMatch(/: not written \(/);
    }
    expect(await readFile(join(home, 'cache', 'code'), 'utf8')).toBe('in the way');
  });
});
