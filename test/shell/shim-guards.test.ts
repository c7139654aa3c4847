// What the shim enforces around the real go: no inherited GOROOT, GOTOOLCHAIN=local, the GOARCH pin, the
// Rosetta refusal on (simulated) Apple Silicon, and a home that does not depend on the caller's GOARM_HOME.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { fakeSysctl, field, HOWS, makeWorld, runShell, shellsAvailable, type World } from '../helpers/fakego.js';

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
    const mac = await makeWorld({ versions: ['1.23.4'], default: '1.23', shimsEnv: sim });
    const cwd = await mac.files('armhost', { '.go-version': '1.23\n' });
    const line = async (env: Record<string, string>) => {
      const r = await mac.shim('dash', ['build'], { cwd, env: { PATH: sim.PATH, ...env } });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(await line({})).toMatch(/^go=1\.23\.4 args=build GOARCH=arm64 /);
    expect(field(await line({ GOARCH: 'amd64' }), 'GOARCH')).toBe('amd64');
    const cur = await mac.goarm(['current', '--json'], { cwd, env: sim });
    expect(JSON.parse(cur.stdout)).toMatchObject({ version: '1.23.4', archPin: 'arm64' });
    // Not simulated: this host's own answer (an amd64 host pins nothing), even when a caller sets the test hook: the
    // shim's Node call gets the hooks the shim was rendered with, so no caller can decide the shared cache.
    const other = await w.files('nativehost', { '.go-version': '1.23\n' });
    const want = process.arch === 'arm64' ? 'arm64' : 'unset';
    for (const how of HOWS) expect(field(await run(other, sim, how), 'GOARCH'), how).toBe(want);
    expect(field(await run(other), 'GOARCH')).toBe(want);
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

// The Rosetta decision uses only what the caller cannot set: in bash, BASH_VERSINFO[5] (compiled into each slice of
// the universal binary, read-only); in any other shell one `sysctl -in sysctl.proc_translated`; never HOSTTYPE,
// which bash keeps when it is inherited. A test cannot run a translated (or an arm64) bash, so the simulated Mac is
// rendered either way round: by default a native slice is arm64 (as on a real Mac), so this machine's own bash
// plays a translated one; with GOARM_SIMULATE_NATIVE_CPU set to this machine's CPU, its bash plays a native one.
describe('Rosetta (simulated Apple Silicon)', () => {
  const hostCpu = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  const otherCpu = hostCpu === 'arm64' ? 'x86_64' : 'arm64';
  let fake: string;
  let shells: string; // sh-dash/sh and sh-bash/sh: dash and bash started under the name sh, as /bin/sh would be
  const mac: Record<'bashNative' | 'bashTranslated', World> = {} as never;
  let cwd: Record<'bashNative' | 'bashTranslated', string>;
  beforeAll(async () => {
    fake = await fakeSysctl(join(await tempHome('goarm-sysctl-'), 'bin'));
    shells = await tempHome('goarm-sh-');
    for (const sh of ['dash', 'bash']) {
      await mkdir(join(shells, `sh-${sh}`));
      await symlink(
        spawnSync('sh', ['-c', `command -v ${sh}`], { encoding: 'utf8' }).stdout.trim(),
        join(shells, `sh-${sh}`, 'sh'),
      );
    }
    const sim = { GOARM_SIMULATE_OS: 'darwin', PATH: `${fake}:${process.env.PATH}` };
    // Which world makes this machine's bash native depends on its CPU.
    const nativeWorld = await makeWorld({
      versions: ['1.23.4'],
      default: '1.23',
      shimsEnv: { ...sim, GOARM_SIMULATE_NATIVE_CPU: hostCpu },
    });
    const translatedWorld = await makeWorld({
      versions: ['1.23.4'],
      default: '1.23',
      shimsEnv: { ...sim, GOARM_SIMULATE_NATIVE_CPU: otherCpu },
    });
    mac.bashNative = nativeWorld;
    mac.bashTranslated = translatedWorld;
    cwd = {
      bashNative: await nativeWorld.files('proj', { 'main.go': 'package main\n' }),
      bashTranslated: await translatedWorld.files('proj', { 'main.go': 'package main\n' }),
    };
  });
  type Via = 'dash' | 'bash' | 'zsh' | 'direct' | 'sh=dash' | 'sh=bash';
  const shim = (world: keyof typeof mac, via: Via, env: Record<string, string>) => {
    const w = mac[world];
    const e = { PATH: `${fake}:${process.env.PATH}`, HOME: join(w.base, 'user'), ...env };
    if (via === 'sh=dash' || via === 'sh=bash')
      return runShell([join(shells, `sh-${via.slice(3)}`, 'sh'), w.shimPath('go'), 'version'], {
        cwd: cwd[world],
        env: e,
      });
    return w.shim(via, ['version'], { cwd: cwd[world], env: e });
  };
  const refused = (r: { code: number; stdout: string; stderr: string }, what: string) => {
    expect(r.code, `${what}: ${r.stderr}`).toBe(10);
    expect(r.stdout, what).toBe('');
    expect(r.stderr).toMatch(/Rosetta.*\[E_ROSETTA\]/);
    expect(r.stderr).toContain('arch -arm64');
    expect(r.stderr).toContain('GOARM_ALLOW_ROSETTA=1');
  };
  const ran = (r: { code: number; stdout: string; stderr: string }, what: string) => {
    expect(r.code, `${what}: ${r.stderr}`).toBe(0);
    expect(r.stdout, what).toMatch(/^go=1\.23\.4 args=version /);
  };
  // Shells that are not bash decide by sysctl alone, whichever world.
  const notBash: Via[] = ['dash', 'sh=dash', 'direct', ...(shellsAvailable.includes('zsh') ? (['zsh'] as const) : [])];

  it('the check is rendered only for Apple Silicon, and passes shellcheck -s sh', async () => {
    expect(await readFile(mac.bashNative.shimPath('go'), 'utf8')).toContain('GOARM_ALLOW_ROSETTA');
    expect(await readFile(w.shimPath('go'), 'utf8')).not.toContain('GOARM_ALLOW_ROSETTA');
    const text = await readFile(mac.bashTranslated.shimPath('go'), 'utf8');
    expect(text).not.toMatch(/HOSTTYPE|MACHTYPE/);
    const sc = spawnSync(
      'shellcheck',
      ['-s', 'sh', mac.bashNative.shimPath('go'), mac.bashTranslated.shimPath('gofmt')],
      {
        encoding: 'utf8',
      },
    );
    expect(sc.error, 'shellcheck must be installed').toBeUndefined();
    expect(sc.stdout + sc.stderr).toBe('');
    expect(sc.status).toBe(0);
  });

  it('translated, with an inherited HOSTTYPE claiming native: refused in every shell', async () => {
    for (const via of notBash) refused(await shim('bashNative', via, { FAKE_TRANSLATED: '1', HOSTTYPE: 'arm64' }), via);
    // bash (also started as sh): its own slice decides; an inherited HOSTTYPE naming the other slice, and sysctl's
    // answer, change nothing.
    for (const via of ['bash', 'sh=bash'] as const)
      refused(await shim('bashTranslated', via, { FAKE_TRANSLATED: '0', HOSTTYPE: otherCpu }), via);
  });

  it('native, with an inherited HOSTTYPE claiming x86_64: runs in every shell', async () => {
    for (const via of notBash) ran(await shim('bashNative', via, { FAKE_TRANSLATED: '0', HOSTTYPE: 'x86_64' }), via);
    for (const via of ['bash', 'sh=bash'] as const)
      ran(await shim('bashNative', via, { FAKE_TRANSLATED: '1', HOSTTYPE: otherCpu }), via);
  });

  it('a BASH_VERSION or BASH_VERSINFO exported to dash or zsh neither breaks the shim nor decides', async () => {
    const fakeBash = { BASH_VERSION: '5.2.15(1)-release', BASH_VERSINFO: 'arm64-apple-darwin23' };
    for (const via of notBash) {
      refused(await shim('bashNative', via, { ...fakeBash, FAKE_TRANSLATED: '1' }), via);
      ran(await shim('bashNative', via, { ...fakeBash, FAKE_TRANSLATED: '0' }), via);
    }
  });

  it('GOARM_ALLOW_ROSETTA=1 still overrides, in every shell', async () => {
    for (const via of notBash)
      ran(await shim('bashNative', via, { FAKE_TRANSLATED: '1', GOARM_ALLOW_ROSETTA: '1' }), via);
    for (const via of ['bash', 'sh=bash'] as const)
      ran(await shim('bashTranslated', via, { GOARM_ALLOW_ROSETTA: '1' }), via);
  });
});
