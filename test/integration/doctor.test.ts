// `goarm doctor`: the report's shape, a healthy machine, and the PATH, environment and config.toml problems, each
// provoked for real (a shadowing go on PATH, an exported GOROOT, ...) and seen in the report.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloads } from '../../src/doctor/env.js';
import { cleanupTempHomes } from '../helpers/cli.js';
import { fakeBinary, HOST } from '../helpers/gotree.js';
import { type DoctorWorld, installFake, makeDoctorWorld, writeExec } from './doctor-fixture.js';

let w: DoctorWorld;
beforeAll(async () => {
  w = await makeDoctorWorld();
  await installFake(w.home, '1.23.4');
  await writeFile(join(w.home, 'config.toml'), 'default = "1.23"\n');
});
afterAll(cleanupTempHomes);

describe('a healthy set-up', () => {
  it('reports every check once, in the documented order and shape, and exits 0', async () => {
    const d = await w.doctor();
    const bad = d.report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    expect(d.code).toBe(0);
    expect(Object.keys(d.report)).toEqual(['schema', 'goarm', 'home', 'cwd', 'host', 'ok', 'counts', 'checks']);
    expect(d.report).toMatchObject({
      schema: 1,
      home: w.home,
      cwd: w.proj,
      ok: true,
      host: { os: HOST.os, arch: HOST.arch, translated: false },
    });
    expect(d.report.counts.ok + d.report.counts.skip).toBe(d.report.checks.length);
    expect(d.check('path.shadow')).toMatchObject({ status: 'ok', fix: null });
    expect(d.check('project.version')).toMatchObject({ status: 'ok', detail: { version: '1.23.4' } });
    expect(d.check('shims.integration').detail).toMatchObject({ onPath: true, rc: ['~/.zshrc:3'] });
  });

  it('prints text with one line per check, a fix under each problem, and exits 11 on a failure', async () => {
    const ok = await w.goarm(['doctor']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ {2}ok {4}path\.shadow /m);
    expect(ok.stdout).toMatch(/^0 failed, 0 warnings, \d+ ok, \d+ skipped$/m);
    const bad = await w.goarm(['doctor'], { GOROOT: join(w.base, 'nowhere') });
    expect(bad.code).toBe(11);
    expect(bad.stdout).toMatch(/^ {2}FAIL {2}env\.goroot +GOROOT=.*nowhere is exported/m);
    expect(bad.stdout).toMatch(/^ +fix: unset GOROOT/m);
    expect(bad.stdout).toMatch(/^1 failed, /m);
  });
});

describe('PATH', () => {
  it('names each go/gofmt that comes before the shims, its platform, and the rc line that put it there', async () => {
    const goDir = join(w.base, 'usr', 'local', 'go', 'bin');
    const brew = join(w.base, 'opt', 'homebrew', 'bin');
    await writeExec(join(goDir, 'go'), '');
    await writeFile(join(goDir, 'go'), fakeBinary('linux', 'arm64', 'go'));
    await writeExec(join(brew, 'gofmt'), '#!/bin/sh\n');
    // A link to goarm's own shim is not a shadow.
    const linked = join(w.base, 'links');
    await mkdir(linked);
    await symlink(join(w.home, 'shims', 'go'), join(linked, 'go'));
    await writeFile(
      join(w.user, '.zprofile'),
      `# login\nexport PATH="${goDir}:$PATH"\neval "$(${brew}/brew shellenv)"\n`,
    );
    const d = await w.doctor({ PATH: `${linked}:${goDir}:${brew}:${w.env.PATH}` });
    const c = d.check('path.shadow');
    expect(c.status).toBe('fail');
    expect(c.message).toContain(`${goDir}/go (linux/arm64) — PATH set in ~/.zprofile:2`);
    expect(c.message).toContain(`${brew}/gofmt — PATH set in ~/.zprofile:3`);
    expect(c.message).not.toContain(linked);
    expect(c.fix).toContain('~/.zprofile:2, ~/.zprofile:3');
    expect(c.fix).toContain('eval "$(goarm use)"');
    expect(c.detail.shadowing).toEqual([
      { tool: 'go', file: `${goDir}/go`, dir: goDir, platform: 'linux/arm64', setBy: ['~/.zprofile:2'] },
      { tool: 'gofmt', file: `${brew}/gofmt`, dir: brew, platform: null, setBy: ['~/.zprofile:3'] },
    ]);
    expect(d.check('path.shims').status).toBe('ok');
    // The same directories after the shims shadow nothing.
    expect((await w.doctor({ PATH: `${w.env.PATH}:${goDir}:${brew}` })).check('path.shadow').status).toBe('ok');
  });

  it('fails when the shims are not on PATH, naming the go that runs instead', async () => {
    const other = await writeExec(join(w.base, 'other', 'go'), '#!/bin/sh\n');
    const d = await w.doctor({ PATH: `${join(w.base, 'other')}:/usr/bin:/bin` });
    expect(d.check('path.shims')).toMatchObject({ status: 'fail', detail: { onPath: false, go: other } });
    expect(d.check('path.shims').message).toContain(`\`go\` here is ${other}`);
    expect(d.check('path.shims').fix).toContain('eval "$(goarm use)"');
    expect(d.check('path.shadow').status).toBe('skip');
    expect(d.check('shims.integration').status).toBe('warn'); // ~/.zshrc loads goarm, but not in this shell
  });
});

describe('environment', () => {
  it('an exported GOROOT is reported with what it breaks and the rc line that exports it', async () => {
    await writeFile(join(w.user, '.zshenv'), `export GOROOT=${join(w.home, 'versions', '1.23.4')}\n`);
    const d = await w.doctor({ GOROOT: join(w.home, 'versions', '1.23.4') });
    const c = d.check('env.goroot');
    expect(c.status).toBe('warn');
    expect(c.message).toMatch(/gopls, editors, Makefiles/);
    expect(c.message).toMatch(/wrong standard library/);
    expect(c.fix).toBe('remove the GOROOT line at ~/.zshenv:1');
    // Pointing at no Go at all is a failure.
    expect((await w.doctor({ GOROOT: '/nonexistent/go' })).check('env.goroot').status).toBe('fail');
    expect((await w.doctor()).check('env.goroot').status).toBe('ok');
  });

  it('GOTOOLCHAIN that downloads is reported, from the environment and from go env -w', async () => {
    const d = await w.doctor({ GOTOOLCHAIN: 'auto' });
    expect(d.check('env.gotoolchain')).toMatchObject({
      status: 'warn',
      detail: { GOTOOLCHAIN: 'auto', from: 'the environment' },
    });
    expect(d.check('env.gotoolchain').message).toMatch(/download/);
    expect((await w.doctor({ GOTOOLCHAIN: 'local' })).check('env.gotoolchain').status).toBe('ok');
    const envFile = join(w.user, '.config', 'go', 'env');
    await mkdir(join(w.user, '.config', 'go'), { recursive: true });
    await writeFile(envFile, 'GOTOOLCHAIN=go1.22.0+auto\n');
    try {
      const f = (await w.doctor()).check('env.gotoolchain');
      expect(f).toMatchObject({ status: 'warn', detail: { GOTOOLCHAIN: 'go1.22.0+auto', from: envFile } });
      expect(f.fix).toContain('go env -u GOTOOLCHAIN');
    } finally {
      await writeFile(envFile, '');
    }
  });

  it.each([
    ['auto', true],
    ['local', false],
    ['path', false],
    ['go1.22.0', true],
    ['go1.22.0+auto', true],
    ['go1.22.0+path', false],
    ['local+auto', true],
  ])('GOTOOLCHAIN=%s downloads: %s', (v, want) => expect(downloads(v)).toBe(want));

  it('exported GOARCH/GOOS are reported', async () => {
    const other = HOST.arch === 'amd64' ? 'arm64' : 'amd64';
    const c = (await w.doctor({ GOARCH: other })).check('env.goarch');
    expect(c).toMatchObject({ status: 'warn', detail: { GOARCH: other } });
    expect(c.message).toContain(`cross-compiles for ${other}`);
    expect((await w.doctor()).check('env.goarch').status).toBe('ok');
  });

  it('GOPATH or GOBIN inside an installed Go root fails', async () => {
    const root = join(w.home, 'versions', '1.23.4');
    const d = await w.doctor({ GOPATH: `${join(w.base, 'gopath')}:${join(root, 'gopath')}`, GOBIN: join(root, 'bin') });
    const c = d.check('env.gopath');
    expect(c.status).toBe('fail');
    expect(c.detail.paths).toEqual([
      { name: 'GOPATH', value: join(root, 'gopath'), from: 'the environment', root },
      { name: 'GOBIN', value: join(root, 'bin'), from: 'the environment', root },
    ]);
    expect((await w.doctor({ GOPATH: join(w.base, 'gopath') })).check('env.gopath').status).toBe('ok');
  });
});

describe('config.toml', () => {
  it('a broken config.toml is a failure, and the other checks still run', async () => {
    await writeFile(join(w.home, 'config.toml'), 'default = "1.23"\nauto_install = "yes"\n');
    try {
      const d = await w.doctor();
      expect(d.check('config.global').status).toBe('fail');
      expect(d.check('config.global').message).toMatch(/config\.toml:2:\d+: auto_install must be true or false/);
      expect(d.check('host.platform').status).toBe('ok');
    } finally {
      await writeFile(join(w.home, 'config.toml'), 'default = "1.23"\n');
    }
  });
});
