// The commands around resolution, through the built CLI: current (and why), which, exec, pin, default.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { field, makeWorld, type World } from '../helpers/fakego.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.21.13', '1.22.5', '1.23.4'], default: '1.23' });
});
afterAll(cleanupTempHomes);

describe('goarm current', () => {
  it('names the version and the file and line that chose it', async () => {
    const cwd = await w.files('cur', { '.go-version': '# team pin\n\n1.22\n', 'sub/x.go': 'package x\n' });
    const r = await w.goarm(['current'], { cwd: join(cwd, 'sub') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`go1.22.5 (from ${join(cwd, '.go-version')}:3)\n`);
    const j = await w.goarm(['current', '--json'], { cwd: join(cwd, 'sub') });
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({
      version: '1.22.5',
      spec: '1.22',
      installed: true,
      trusted: false,
      ignored: [],
      source: { kind: 'go-version', file: join(cwd, '.go-version'), line: 3 },
      env: { GOTOOLCHAIN: 'local' },
    });
  });

  it('the global default, with its line in config.toml', async () => {
    const cwd = await w.files('cur-default', { 'x.go': 'package x\n' });
    const r = await w.goarm(['current'], { cwd });
    expect(r.stdout).toBe('go1.23.4 (the global default)\n');
    const j = JSON.parse((await w.goarm(['current', '--json'], { cwd })).stdout);
    expect(j.source).toEqual({ kind: 'default', file: join(w.home, 'config.toml'), line: 2 });
  });

  it('.goarm.toml settings, and a version that is not installed (exit 4)', async () => {
    const cwd = await w.files('cur-toml', {
      '.goarm.toml': '\ngo = "1.20"\narch = "arm64"\n[cgo]\nenabled = false\n[env]\nX = "1"\n',
    });
    const r = await w.goarm(['current'], { cwd });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(`go1.20 (from ${join(cwd, '.goarm.toml')}:2) — not installed; run: goarm install 1.20\n`);
    const j = JSON.parse((await w.goarm(['current', '--json'], { cwd })).stdout);
    expect(j).toMatchObject({
      installed: false,
      spec: '1.20',
      archPin: 'arm64',
      settingsFile: join(cwd, '.goarm.toml'),
      ignored: ['env.X'],
      env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    });
    expect(j.version).toBeUndefined();
  });
});

describe('goarm which / exec', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await w.files('run', { '.goarm.toml': 'go = "1.22"\narch = "arm64"\n\n[cgo]\nenabled = false\n' });
  });

  it('which prints the real binary the shim would run', async () => {
    for (const tool of ['go', 'gofmt']) {
      const r = await w.goarm(['which', tool], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(join(w.home, 'versions', '1.22.5', 'bin', tool) + '\n');
    }
    expect((await w.goarm(['which', 'gopls'], { cwd })).code).toBe(2);
  });

  it('exec runs the command with the environment applied and that go first on PATH', async () => {
    const r = await w.goarm(
      ['exec', '--', 'sh', '-c', 'echo "$GOARCH $CGO_ENABLED $GOTOOLCHAIN ${GOROOT-unset}"; go version'],
      { cwd, env: { GOROOT: '/elsewhere' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = r.stdout.split('\n');
    expect(first).toBe('arm64 0 local unset');
    expect(second).toMatch(/^go=1\.22\.5 args=version GOARCH=arm64 GOROOT=unset GOTOOLCHAIN=local CGO_ENABLED=0 /);
  });

  it('exec passes the exit status through', async () => {
    expect((await w.goarm(['exec', '--', 'sh', '-c', 'exit 7'], { cwd })).code).toBe(7);
    expect((await w.goarm(['exec', '--', 'sh', '-c', 'exit 0'], { cwd })).code).toBe(0);
    const missing = await w.goarm(['exec', '--', 'no-such-command-goarm'], { cwd });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command-goarm: command not found');
    expect((await w.goarm(['exec'], { cwd })).code).toBe(2);
  });

  it('exec --version picks another installed version', async () => {
    const r = await w.goarm(['exec', '--version', '1.21', '--', 'go', 'build', '-v'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^go=1\.21\.13 args=build -v GOARCH=arm64 /);
    const missing = await w.goarm(['exec', '--version', '1.19', '--', 'go'], { cwd });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('run: goarm install 1.19');
  });
});

describe('goarm pin / default', () => {
  it('pin writes .goarm.toml, keeping comments and tables, and the shim follows', async () => {
    const text = '# project settings\n\n# no cgo here\n[cgo]\nenabled = false # static builds\n';
    const cwd = await w.files('pin', { '.goarm.toml': text });
    const file = join(cwd, '.goarm.toml');
    const r = await w.goarm(['pin', '1.22'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pinned ${file} to go 1.22`);
    expect(await readFile(file, 'utf8')).toBe(
      '# project settings\n\ngo = "1.22"\n\n# no cgo here\n[cgo]\nenabled = false # static builds\n',
    );
    expect((await w.shim('dash', ['version'], { cwd })).stdout).toMatch(/^go=1\.22\.5 .*CGO_ENABLED=0/);

    await writeFile(file, (await readFile(file, 'utf8')).replace('go = "1.22"', 'go = "1.22" # for the old CI'));
    expect((await w.goarm(['pin', 'go1.21.13'], { cwd })).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('go = "1.21.13" # for the old CI\n');
    expect((await w.shim('bash', ['version'], { cwd })).stdout).toMatch(/^go=1\.21\.13 /);

    const bad = await w.goarm(['pin', '../1.22'], { cwd });
    expect(bad.code).toBe(2);
    expect(await readFile(file, 'utf8')).toContain('go = "1.21.13"');
  });

  it('pin of a version that is not installed says how to install it', async () => {
    const cwd = await w.files('pin-missing', {});
    const r = await w.goarm(['pin', '1.24'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(cwd, '.goarm.toml'), 'utf8')).toBe('go = "1.24"\n');
    expect(r.stderr).toContain('run: goarm install 1.24');
  });

  it('default sets config.toml default, keeping its comments, and the shim follows', async () => {
    const cwd = await w.files('default', { 'x.go': 'package x\n' });
    const config = join(w.home, 'config.toml');
    const before = await readFile(config, 'utf8');
    try {
      const r = await w.goarm(['default', '1.21']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('default set to go 1.21');
      expect(await readFile(config, 'utf8')).toBe('# global settings\ndefault = "1.21"\n');
      expect(field((await w.shim('zsh', ['version'], { cwd })).stdout, 'go')).toBe('1.21.13');
      expect((await w.goarm(['current'], { cwd })).stdout).toBe('go1.21.13 (the global default)\n');
      expect((await w.goarm(['default', 'not-a-version'])).code).toBe(2);
    } finally {
      await writeFile(config, before);
    }
  });
});
