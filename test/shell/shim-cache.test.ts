// The per-directory resolve cache: a warm cache runs go without starting Node, and every change that can alter
// the answer (project files, a parent's .goarm.toml, a new install, config.toml) is seen by the very next call.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { fakeBin, fakeGoRoot, field, HOWS, makeWorld, type World } from '../helpers/fakego.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.21.13', '1.22.5', '1.23.4', '1.24.1'], default: '1.22' });
});
afterAll(cleanupTempHomes);

const goLine = async (cwd: string, how: 'dash' | 'bash' | 'zsh' | 'direct' = 'dash') => {
  const r = await w.shim(how, ['version'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

describe('fast path', () => {
  let trap: string;
  let marker: string;
  let sabotaged: (tool: string) => string;

  beforeAll(async () => {
    // Copies of the shims whose cache-miss command (the launcher, which starts Node) is a trap: running it leaves
    // a marker and fails.
    marker = join(w.base, 'node-was-started');
    trap = join(
      await fakeBin(join(w.base, 'trapbin'), 'node', `touch '${marker}'\necho "trap: node started" >&2\nexit 99`),
      'node',
    );
    await mkdir(join(w.base, 'sabotaged'));
    for (const tool of ['go', 'gofmt']) {
      const text = await readFile(w.shimPath(tool), 'utf8');
      const changed = text.replace('"$_goarm_home/bin/goarm" _light shim-resolve', `'${trap}' _light shim-resolve`);
      expect(changed).not.toBe(text);
      await writeFile(join(w.base, 'sabotaged', tool), changed, { mode: 0o755 });
    }
    sabotaged = (tool) => join(w.base, 'sabotaged', tool);
  });

  it('the trap works: with no cache the sabotaged shim does start "node"', async () => {
    const cwd = await w.files('cold', { '.goarm.toml': 'go = "1.23"\n' });
    const r = await w.shim('dash', ['version'], { cwd, shimPath: sabotaged('go') });
    expect(r.code).toBe(99);
    expect(r.stdout).toBe('');
    expect(existsSync(marker)).toBe(true);
    await rm(marker);
  });

  it('after one call warmed the cache, go and gofmt run under every shell without Node', async () => {
    const cwd = await w.files('warm', { '.goarm.toml': 'go = "1.23"\n\n[cgo]\nenabled = false\n' });
    await w.settle();
    expect(await goLine(cwd)).toMatch(/^go=1\.23\.4 args=version .*CGO_ENABLED=0/);
    for (const how of HOWS)
      for (const tool of ['go', 'gofmt']) {
        const r = await w.shim(how, ['version'], { cwd, shimPath: sabotaged(tool) });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^${tool}=1\\.23\\.4 args=version .*GOTOOLCHAIN=local CGO_ENABLED=0`));
      }
    expect(existsSync(marker)).toBe(false);
  });

  it('unrelated changes in searched directories ($HOME, /tmp churn) do not start Node', async () => {
    // Only go.mod here: the resolver walks every directory up to /, as it does for most projects.
    const cwd = await w.files('churn/mod', { 'go.mod': 'module x\n\ngo 1.21\n' });
    await w.settle();
    expect(await goLine(cwd)).toMatch(/^go=1\.2/);
    await writeFile(join(cwd, '..', 'unrelated.txt'), 'x');
    await writeFile(join(cwd, 'main.go'), 'package main\n');
    const r = await w.shim('dash', ['version'], { cwd, shimPath: sabotaged('go') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    // ...while a project file appearing there still does.
    await writeFile(join(cwd, '..', '.go-version'), '1.22\n');
    const again = await w.shim('dash', ['version'], { cwd, shimPath: sabotaged('go') });
    expect(again.code).toBe(99);
    expect(existsSync(marker)).toBe(true);
    await rm(marker);
  });

  const strace = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', '/dev/null', 'true']).status === 0;
  it.skipIf(!strace)('strace agrees: a warm call execs only the shell and the real go', async () => {
    const cwd = await w.files('traced', { '.go-version': '1.21.13\n', '.goarm.toml': 'arch = "arm64"\n' });
    await w.settle();
    expect(await goLine(cwd)).toMatch(/^go=1\.21\.13 .*GOARCH=arm64/);
    const log = join(w.base, 'strace.log');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: w.base };
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', log, 'dash', w.shimPath('go'), 'version'], {
      cwd,
      env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const execs = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => /execve\(/.test(l) && !/= -1 /.test(l))
      .map((l) => /execve\("([^"]+)"/.exec(l)?.[1]);
    expect(execs.some((p) => p?.endsWith('/versions/1.21.13/bin/go'))).toBe(true);
    expect(execs.filter((p) => /node/.test(p ?? ''))).toEqual([]);
  });
});

describe('staleness: the next call sees', () => {
  it('.go-version edited right after the call that wrote the cache, same size, same second', async () => {
    const cwd = await w.files('edit', { '.go-version': '1.22\n' });
    await w.settle();
    expect(await goLine(cwd)).toMatch(/^go=1\.22\.5 /);
    await writeFile(join(cwd, '.go-version'), '1.23\n');
    expect(await goLine(cwd, 'bash')).toMatch(/^go=1\.23\.4 /);
    await writeFile(join(cwd, '.go-version'), '1.21\n');
    expect(await goLine(cwd, 'zsh')).toMatch(/^go=1\.21\.13 /);
    await writeFile(join(cwd, '.go-version'), '1.24\n');
    expect(await goLine(cwd, 'direct')).toMatch(/^go=1\.24\.1 /);
  });

  it('.go-version created, then removed', async () => {
    const cwd = await w.files('create', { 'main.go': 'package main\n' });
    await w.settle();
    expect(await goLine(cwd)).toMatch(/^go=1\.22\.5 /);
    await writeFile(join(cwd, '.go-version'), '1.24\n');
    expect(await goLine(cwd)).toMatch(/^go=1\.24\.1 /);
    await rm(join(cwd, '.go-version'));
    expect(await goLine(cwd)).toMatch(/^go=1\.22\.5 /);
  });

  it('a .goarm.toml added in a parent directory (version and settings)', async () => {
    const parent = await w.files('parent', { 'child/main.go': 'package main\n', 'pinned/.go-version': '1.21\n' });
    await w.settle();
    const child = join(parent, 'child');
    const pinned = join(parent, 'pinned');
    expect(field(await goLine(child), 'GOARCH')).toBe(process.arch === 'arm64' ? 'arm64' : 'unset');
    expect(await goLine(pinned)).toMatch(/^go=1\.21\.13 /);
    await writeFile(join(parent, '.goarm.toml'), 'go = "1.23"\narch = "386"\n');
    const c = await goLine(child);
    expect(c).toMatch(/^go=1\.23\.4 /);
    expect(field(c, 'GOARCH')).toBe('386');
    const p = await goLine(pinned); // the version stays with the nearer .go-version, the settings come from the parent
    expect(p).toMatch(/^go=1\.21\.13 /);
    expect(field(p, 'GOARCH')).toBe('386');
  });

  it(
    'a newly installed version: a pin that was not installed, ' + 'and a go.mod minimum finding a newer release',
    async () => {
      const cwd = await w.files('install', { 'pin/.go-version': '1.25\n', 'mod/go.mod': 'module m\n\ngo 1.24.0\n' });
      await w.settle();
      const miss = await w.shim('dash', ['version'], { cwd: join(cwd, 'pin') });
      expect(miss.code).toBe(4);
      expect(miss.stdout).toBe('');
      expect(miss.stderr).toMatch(/go1\.25 .*not installed; run: goarm install 1\.25/);
      expect(await goLine(join(cwd, 'mod'))).toMatch(/^go=1\.24\.1 /);
      await fakeGoRoot(w.home, '1.24.3');
      expect(await goLine(join(cwd, 'mod'))).toMatch(/^go=1\.24\.3 /);
      await fakeGoRoot(w.home, '1.25.0');
      expect(await goLine(join(cwd, 'pin'))).toMatch(/^go=1\.25\.0 /);
    },
  );

  it('config.toml default changed in place (same size) and by `goarm default`', async () => {
    const cwd = await w.files('global', { 'main.go': 'package main\n' });
    await w.settle();
    const config = join(w.home, 'config.toml');
    const before = await readFile(config, 'utf8');
    try {
      expect(await goLine(cwd)).toMatch(/^go=1\.22\.5 /);
      await writeFile(config, before.replace('default = "1.22"', 'default = "1.23"'));
      expect(await goLine(cwd)).toMatch(/^go=1\.23\.4 /);
      const set = await w.goarm(['default', '1.21']);
      expect(set.code, set.stderr).toBe(0);
      expect(await goLine(cwd, 'bash')).toMatch(/^go=1\.21\.13 /);
      expect(await readFile(config, 'utf8')).toContain('# global settings'); // the comment survived
    } finally {
      await writeFile(config, before);
    }
  });
});
