// `goarm doctor`: installed versions, shims and the project, each problem provoked for real: a wrong-arch binary,
// a dangling link, a VERSION that disagrees, interrupted-install debris, stale or broken shims, an untrusted or
// invalid .goarm.toml, a version that is not installed.
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { HOST } from '../helpers/gotree.js';
import { type DoctorWorld, installFake, makeDoctorWorld, removeFake, simulateMac } from './doctor-fixture.js';

const otherArch = HOST.arch === 'arm64' ? 'amd64' : 'arm64';
afterAll(cleanupTempHomes);

describe('installed versions', () => {
  let w: DoctorWorld;
  beforeAll(async () => {
    w = await makeDoctorWorld();
    await installFake(w.home, '1.23.4');
  });

  it('a bin/go built for another architecture fails installs.binary', async () => {
    await installFake(w.home, '1.22.0', { arch: otherArch });
    try {
      const c = (await w.doctor()).check('installs.binary');
      expect(c.status).toBe('fail');
      expect(c.message).toContain(`versions/1.22.0/bin/go is linux/${otherArch}, not ${HOST.os}/${HOST.arch}`);
      expect(c.fix).toContain('goarm uninstall 1.22.0 && goarm install 1.22.0');
      expect(c.detail.wrongArch).toEqual([
        { name: '1.22.0', found: `linux/${otherArch}`, expected: `${HOST.os}/${HOST.arch}` },
      ]);
    } finally {
      await removeFake(w.home, '1.22.0');
    }
  });

  it(
    'an Intel Go on (simulated) Apple Silicon is named as such; ' + 'an arm64 one and a cross-install are fine',
    async () => {
      const mac = await makeDoctorWorld();
      const env = await simulateMac(mac);
      await installFake(mac.home, '1.23.4', { os: 'darwin', arch: 'arm64' });
      await installFake(mac.home, '1.23.4-darwin-amd64', { os: 'darwin', arch: 'amd64' });
      expect((await mac.doctor(env)).check('installs.binary').status).toBe('ok');
      await installFake(mac.home, '1.22.5', { os: 'darwin', arch: 'amd64' });
      const c = (await mac.doctor(env)).check('installs.binary');
      expect(c.status).toBe('fail');
      expect(c.message).toMatch(
        /versions\/1\.22\.5\/bin\/go is darwin\/amd64, not darwin\/arm64: an Intel Go, which runs under Rosetta/,
      );
      expect(c.message).not.toContain('1.23.4');
    },
  );

  it('a missing bin/go, a VERSION that disagrees and a dangling symlink are each reported', async () => {
    const broken = await installFake(w.home, '1.21.0');
    await rm(join(broken, 'bin', 'go'));
    const wrong = await installFake(w.home, '1.20.0', { version: '1.20.1' });
    await mkdir(join(wrong, 'lib'));
    await symlink('../nowhere/zoneinfo.zip', join(wrong, 'lib', 'zoneinfo.zip'));
    try {
      const d = await w.doctor();
      expect(d.check('installs.binary')).toMatchObject({ status: 'fail', detail: { noGo: ['1.21.0'] } });
      expect(d.check('installs.version-file')).toMatchObject({
        status: 'fail',
        detail: { mismatched: [{ name: '1.20.0', found: 'go1.20.1' }] },
      });
      expect(d.check('installs.links')).toMatchObject({
        status: 'fail',
        detail: { dangling: [{ name: '1.20.0', path: 'lib/zoneinfo.zip' }] },
      });
      expect(d.check('installs.links').message).toContain('versions/1.20.0/lib/zoneinfo.zip');
    } finally {
      await removeFake(w.home, '1.21.0');
      await removeFake(w.home, '1.20.0');
    }
    const d = await w.doctor();
    for (const id of ['installs.binary', 'installs.version-file', 'installs.links'])
      expect(d.check(id).status, id).toBe('ok');
  });

  it('staging debris, partial downloads and stray directories are flagged; a live install is not', async () => {
    const dead = join(w.home, 'staging', '999999999-abc'); // no such pid
    const live = join(w.home, 'staging', `${process.pid}-xyz`);
    const partial = join(w.home, 'downloads', `go1.23.5.${HOST.os}-${HOST.arch}.tar.gz.partial`);
    const stray = join(w.home, 'versions', '.tmp-aside');
    for (const d of [dead, live, stray]) await mkdir(d, { recursive: true });
    await mkdir(join(w.home, 'downloads'), { recursive: true });
    await writeFile(partial, 'half');
    await writeFile(`${partial}.json`, '{}'); // its validators
    try {
      const c = (await w.doctor()).check('installs.debris');
      expect(c).toMatchObject({
        status: 'warn',
        detail: { staging: ['999999999-abc'], partial: [partial.split('/').pop()], stray: ['.tmp-aside'] },
      });
      expect(c.fix).toBe(`rm -rf ${dead} ${partial} ${partial}.json ${stray}`);
    } finally {
      for (const d of [dead, partial, `${partial}.json`, stray]) await rm(d, { recursive: true });
    }
    const c = (await w.doctor()).check('installs.debris');
    expect(c.status).toBe('ok');
    expect(c.message).toContain('an install is running');
    await rm(live, { recursive: true });
  });

  it('versions without a manifest, and manifests without a version, are flagged', async () => {
    await installFake(w.home, '1.19.0', { manifest: false });
    const orphan = join(w.home, 'manifests', '1.18.0.json');
    await writeFile(orphan, '{}');
    try {
      const c = (await w.doctor()).check('installs.manifests');
      expect(c).toMatchObject({ status: 'warn', detail: { noManifest: ['1.19.0'], orphans: ['1.18.0'] } });
      expect(c.message).toMatch(/goarm verify. cannot check it/);
    } finally {
      await removeFake(w.home, '1.19.0');
      await rm(orphan);
    }
    expect((await w.doctor()).check('installs.manifests').status).toBe('ok');
  });

  it('nothing installed is a warning, with the command to fix it', async () => {
    const empty = await makeDoctorWorld();
    expect((await empty.doctor()).check('installs.binary')).toMatchObject({
      status: 'warn',
      fix: 'goarm install latest',
    });
  });
});

describe('shims', () => {
  let w: DoctorWorld;
  beforeAll(async () => {
    w = await makeDoctorWorld();
  });

  it('missing and non-executable shims fail shims.present', async () => {
    await chmod(join(w.home, 'shims', 'gofmt'), 0o644);
    const d = await w.doctor();
    expect(d.check('shims.present')).toMatchObject({
      status: 'fail',
      fix: 'goarm shims',
      detail: { notExecutable: [join(w.home, 'shims', 'gofmt')] },
    });
    await rm(join(w.home, 'shims', 'go'));
    const e = await w.doctor();
    expect(e.check('shims.present')).toMatchObject({
      status: 'fail',
      detail: { missing: [join(w.home, 'shims', 'go')] },
    });
    expect(e.check('shims.current').status).toBe('skip');
    expect((await w.goarm(['shims'])).code).toBe(0);
    expect((await w.doctor()).check('shims.present').status).toBe('ok');
  });

  it('a shim written by another goarm is stale; a launcher naming a goarm that is gone is broken', async () => {
    const go = join(w.home, 'shims', 'go');
    const fresh = await readFile(go, 'utf8');
    expect((await w.doctor()).check('shims.current').status).toBe('ok');
    await writeFile(go, fresh.replace(/generated by goarm [^;]+;/, 'generated by goarm 0.0.1;'));
    const stale = (await w.doctor()).check('shims.current');
    expect(stale).toMatchObject({ status: 'warn', fix: 'goarm shims', detail: { stale: ['go'], madeBy: '0.0.1' } });
    expect(stale.message).toMatch(/written by goarm 0\.0\.1; this is goarm \d/);
    await writeFile(go, fresh);
    const launcher = join(w.home, 'bin', 'goarm');
    const text = await readFile(launcher, 'utf8');
    await writeFile(launcher, text.replace(/^_goarm_pkg='.*'$/m, "_goarm_pkg='/opt/old-goarm'"));
    const broken = (await w.doctor()).check('shims.current');
    expect(broken).toMatchObject({ status: 'fail', fix: 'goarm shims', detail: { broken: ['/opt/old-goarm'] } });
    await writeFile(launcher, text);
  });

  it('the shell integration: loaded, configured but not active, or missing', async () => {
    expect((await w.doctor()).check('shims.integration')).toMatchObject({
      status: 'ok',
      detail: { rc: ['~/.zshrc:3'] },
    });
    const inactive = (await w.doctor({ PATH: '/usr/bin:/bin' })).check('shims.integration');
    expect(inactive.status).toBe('warn');
    expect(inactive.message).toContain('~/.zshrc:3 loads goarm, but not in this shell');
    await writeFile(join(w.user, '.zshrc'), '# nothing here\n');
    try {
      expect((await w.doctor()).check('shims.integration').status).toBe('warn');
      const none = (await w.doctor({ PATH: '/usr/bin:/bin' })).check('shims.integration');
      expect(none).toMatchObject({ status: 'fail' });
      expect(none.fix).toContain('eval "$(goarm use)"  (at the end of ~/.zshrc)');
      // fish users get their own line
      expect(
        (await w.doctor({ PATH: '/usr/bin:/bin', SHELL: '/usr/bin/fish' })).check('shims.integration').fix,
      ).toContain('goarm use | source');
    } finally {
      await writeFile(join(w.user, '.zshrc'), '# my zshrc\nsetopt autocd\neval "$(goarm use)"\n');
    }
  });
});

describe('project', () => {
  let w: DoctorWorld;
  beforeAll(async () => {
    w = await makeDoctorWorld();
    await installFake(w.home, '1.23.4');
  });
  const project = async (name: string, toml: string) => {
    const dir = join(w.base, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.goarm.toml'), toml);
    return dir;
  };

  it(
    'an untrusted .goarm.toml is reported with what goarm ignores; ' + 'trusted is ok; an edit needs trust again',
    async () => {
      const dir = await project('untrusted', 'go = "1.23"\n[env]\nGOFLAGS = "-toolexec=/tmp/x"\n[cgo]\ncc = "clang"\n');
      const c = (await w.doctor({}, dir)).check('project.trust');
      expect(c).toMatchObject({
        status: 'warn',
        detail: { trusted: false, changedSinceTrust: false, ignored: ['cgo.cc', 'env.GOFLAGS'] },
      });
      expect(c.message).toMatch(/^not trusted: goarm ignores cgo\.cc, env\.GOFLAGS/);
      expect(c.fix).toContain(`\`goarm trust\` in ${dir}`);
      expect((await w.goarm(['trust'], {}, dir)).code).toBe(0);
      expect((await w.doctor({}, dir)).check('project.trust')).toMatchObject({
        status: 'ok',
        detail: { trusted: true },
      });
      await writeFile(join(dir, '.goarm.toml'), 'go = "1.23"\n[env]\nGOFLAGS = "-toolexec=/tmp/y"\n');
      expect((await w.doctor({}, dir)).check('project.trust')).toMatchObject({
        status: 'warn',
        detail: { changedSinceTrust: true },
      });
      // Settings that need no trust need none.
      const plain = await project('plain', 'go = "1.23"\n[cgo]\nenabled = false\n');
      expect((await w.doctor({}, plain)).check('project.trust')).toMatchObject({
        status: 'ok',
        detail: { trusted: null },
      });
    },
  );

  it('an invalid .goarm.toml fails with file:line:col', async () => {
    const dir = await project('invalid', 'go = "1.23"\narch = "arm46"\n');
    const d = await w.doctor({}, dir);
    expect(d.check('project.config').status).toBe('fail');
    expect(d.check('project.config').message).toContain(`${join(dir, '.goarm.toml')}:2:8: unknown GOARCH "arm46"`);
    expect(d.check('project.config').fix).toMatch(/fix this problem/);
    expect(d.check('project.trust').status).toBe('skip');
    expect(d.check('project.version').status).toBe('fail');
  });

  it('a version that is not installed fails with the install command', async () => {
    const dir = await project('old', 'go = "1.21"\n');
    const c = (await w.doctor({}, dir)).check('project.version');
    expect(c).toMatchObject({ status: 'fail', fix: 'goarm install 1.21', detail: { version: null, spec: '1.21' } });
    expect(c.message).toContain(`from ${join(dir, '.goarm.toml')}:1`);
    const ok = await project('current', 'go = "1.23"\n');
    expect((await w.doctor({}, ok)).check('project.version')).toMatchObject({
      status: 'ok',
      detail: { version: '1.23.4' },
    });
  });

  it('arch = "amd64" on (simulated) Apple Silicon warns about Rosetta', async () => {
    const mac = await makeDoctorWorld();
    const env = await simulateMac(mac);
    await installFake(mac.home, '1.23.4', { os: 'darwin', arch: 'arm64' });
    const dir = join(mac.base, 'intel');
    await mkdir(dir);
    await writeFile(join(dir, '.goarm.toml'), 'go = "1.23"\narch = "amd64"\n');
    const c = (await mac.doctor(env, dir)).check('project.arch');
    expect(c).toMatchObject({ status: 'warn', detail: { arch: 'amd64', hostArch: 'arm64' } });
    expect(c.message).toMatch(/execute amd64 code under Rosetta/);
    await writeFile(join(dir, '.goarm.toml'), 'go = "1.23"\n');
    expect((await mac.doctor(env, dir)).check('project.arch')).toMatchObject({
      status: 'ok',
      message: 'builds for darwin/arm64',
    });
  });
});
