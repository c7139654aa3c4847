// What the shim enforces around the real go: no inherited GOROOT, GOTOOLCHAIN=local, the GOARCH pin, the
// Rosetta refusal on (simulated) Apple Silicon, and a home that does not depend on the caller's GOARM_HOME.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { fakeSysctl, field, HOWS, makeWorld, shellsAvailable, type World } from '../helpers/fakego.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5', '1.23.4'], default: '1.23' });
});
afterAll(cleanupTempHomes);

const run = async (cwd: string, env: Record<string, string | undefined> = {}, how: (typeof HOWS)[number] = 'dash') => {
  const r = await w.shim(how, ['build'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

describe('environment guards', () => {
  it('an inherited GOROOT never reaches go, under every shell', async () => {
    const cwd = await w.files('goroot', { '.go-version': '1.22\n' });
    for (const how of HOWS)
      for (const GOROOT of [join(w.home, 'versions', '1.23.4'), '/usr/local/go', ''])
        expect(field(await run(cwd, { GOROOT }, how), 'GOROOT'), `${how} GOROOT=${GOROOT}`).toBe('unset');
  });

  it('GOTOOLCHAIN is local, even when the caller set it, unless a trusted [env] sets it', async () => {
    const cwd = await w.files('toolchain', { '.goarm.toml': '[env]\nGOTOOLCHAIN = "go1.23.4+auto"\n' });
    expect(field(await run(cwd), 'GOTOOLCHAIN')).toBe('local'); // untrusted: ignored
    expect(field(await run(cwd, { GOTOOLCHAIN: 'auto' }), 'GOTOOLCHAIN')).toBe('local');
    // The shell hook's marker variable, leaked into the environment, must not make the shim skip the exports.
    expect(field(await run(cwd, { GOTOOLCHAIN: 'auto', _goarm_hook: '1' }, 'bash'), 'GOTOOLCHAIN')).toBe('local');
    expect((await w.goarm(['trust'], { cwd })).code).toBe(0);
    expect(field(await run(cwd), 'GOTOOLCHAIN')).toBe('go1.23.4+auto');
    expect(field(await run(cwd, { GOTOOLCHAIN: 'auto' }, 'bash'), 'GOTOOLCHAIN')).toBe('go1.23.4+auto');
  });

  it('arch = "arm64" pins GOARCH unless the caller set GOARCH', async () => {
    const cwd = await w.files('arch', { '.goarm.toml': 'arch = "arm64"\n' });
    for (const how of HOWS) {
      expect(field(await run(cwd, {}, how), 'GOARCH')).toBe('arm64');
      expect(field(await run(cwd, { GOARCH: 'amd64' }, how), 'GOARCH')).toBe('amd64');
      expect(field(await run(cwd, { GOARCH: 'wasm' }, how), 'GOARCH')).toBe('wasm');
    }
  });

  it('on an arm64 host (simulated Apple Silicon) GOARCH=arm64 is pinned without any .goarm.toml', async () => {
    const fake = await fakeSysctl(join(await tempHome('goarm-sysctl-'), 'bin'));
    const sim = { GOARM_SIMULATE_OS: 'darwin', PATH: `${fake}:${process.env.PATH}` };
    const cwd = await w.files('armhost', { '.go-version': '1.23\n' });
    expect(await run(cwd, sim)).toMatch(/^go=1\.23\.4 args=build GOARCH=arm64 /);
    expect(field(await run(cwd, { ...sim, GOARCH: 'amd64' }, 'bash'), 'GOARCH')).toBe('amd64');
    const cur = await w.goarm(['current', '--json'], { cwd, env: sim });
    expect(JSON.parse(cur.stdout)).toMatchObject({ version: '1.23.4', archPin: 'arm64' });
    // Not simulated: this host's own answer (an amd64 host pins nothing).
    const other = await w.files('nativehost', { '.go-version': '1.23\n' });
    expect(field(await run(other), 'GOARCH')).toBe(process.arch === 'arm64' ? 'arm64' : 'unset');
  });

  it('finds its own home: no GOARM_HOME, or one naming another home, changes nothing', async () => {
    const cwd = await w.files('homeless', { '.go-version': '1.22\n' });
    const elsewhere = join(await tempHome('goarm-otherhome-'), 'home');
    const userHome = await tempHome('goarm-user-');
    expect(await run(cwd, { GOARM_HOME: undefined, HOME: userHome })).toMatch(/^go=1\.22\.5 /);
    expect(await run(join(cwd), { GOARM_HOME: elsewhere, HOME: userHome }, 'bash')).toMatch(/^go=1\.22\.5 /);
    expect(existsSync(join(w.home, 'cache', 'resolve', cwd, '.goarm-shim-cache'))).toBe(true);
    expect(existsSync(elsewhere)).toBe(false);
    expect(existsSync(join(userHome, '.goarm'))).toBe(false);
  });
});

describe('Rosetta (simulated Apple Silicon)', () => {
  let mac: World;
  let fake: string;
  let cwd: string;
  beforeAll(async () => {
    fake = await fakeSysctl(join(await tempHome('goarm-sysctl-'), 'bin'));
    mac = await makeWorld({
      versions: ['1.23.4'],
      default: '1.23',
      shimsEnv: { GOARM_SIMULATE_OS: 'darwin', PATH: `${fake}:${process.env.PATH}` },
    });
    cwd = await mac.files('proj', { 'main.go': 'package main\n' });
  });
  const shim = (how: (typeof HOWS)[number], env: Record<string, string>) =>
    mac.shim(how, ['version'], { cwd, env: { PATH: `${fake}:${process.env.PATH}`, ...env } });
  const refused = (r: { code: number; stdout: string; stderr: string }) => {
    expect(r.code, r.stderr).toBe(10);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Rosetta/);
    expect(r.stderr).toContain('arch -arm64');
    expect(r.stderr).toContain('GOARM_ALLOW_ROSETTA=1');
  };
  const ran = (r: { code: number; stdout: string; stderr: string }) => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^go=1\.23\.4 args=version /);
  };

  it('the check is rendered only for Apple Silicon', async () => {
    expect(await readFile(mac.shimPath('go'), 'utf8')).toContain('GOARM_ALLOW_ROSETTA');
    expect(await readFile(w.shimPath('go'), 'utf8')).not.toContain('GOARM_ALLOW_ROSETTA');
  });

  const hasShellcheck = spawnSync('sh', ['-c', 'command -v shellcheck']).status === 0;
  it.skipIf(!hasShellcheck)('the shim with the check passes shellcheck -s sh', () => {
    const sc = spawnSync('shellcheck', ['-s', 'sh', mac.shimPath('go'), mac.shimPath('gofmt')], { encoding: 'utf8' });
    expect(sc.stdout + sc.stderr).toBe('');
    expect(sc.status).toBe(0);
  });

  it.skipIf(!shellsAvailable.includes('bash'))(
    'bash with HOSTTYPE=x86_64 (an x86 slice of bash) is refused',
    async () => {
      refused(await shim('bash', { HOSTTYPE: 'x86_64' }));
      refused(await shim('bash', { HOSTTYPE: 'i386' }));
    },
  );

  it('dash (no HOSTTYPE) asks sysctl: translated is refused, native runs', async () => {
    for (const how of ['dash', 'direct'] as const) {
      refused(await shim(how, { FAKE_TRANSLATED: '1' }));
      ran(await shim(how, { FAKE_TRANSLATED: '0' }));
    }
  });

  it.skipIf(!shellsAvailable.includes('zsh'))('zsh asks sysctl too', async () => {
    refused(await shim('zsh', { FAKE_TRANSLATED: '1' }));
    ran(await shim('zsh', { FAKE_TRANSLATED: '0' }));
  });

  it('GOARM_ALLOW_ROSETTA=1 overrides', async () => {
    ran(await shim('bash', { HOSTTYPE: 'x86_64', GOARM_ALLOW_ROSETTA: '1' }));
    ran(await shim('dash', { FAKE_TRANSLATED: '1', GOARM_ALLOW_ROSETTA: '1' }));
  });

  it('HOSTTYPE=arm64 runs, without asking sysctl', async () => {
    ran(await shim('bash', { HOSTTYPE: 'arm64' }));
    ran(await shim('dash', { HOSTTYPE: 'arm64', FAKE_TRANSLATED: '1' }));
    ran(await shim('dash', { HOSTTYPE: 'aarch64', FAKE_TRANSLATED: '1' }));
  });
});
