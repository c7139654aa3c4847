// `goarm doctor` on the host: Apple Silicon and Rosetta (simulated: GOARM_SIMULATE_OS=darwin and a fake sysctl),
// the C toolchain for cgo (a PATH without gcc; simulated xcrun and xcode-select), and the signing keys (the
// real pinned key on simulated dates; generated keys for the 90-day rule). Also the CGO_ENABLED=0 notes of
// `goarm cgo`, which depend on the target OS and Go version.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgoNotes } from '../../src/cgo/report.js';
import { keyHealth } from '../../src/doctor/keys.js';
import { cleanupTempHomes } from '../helpers/cli.js';
import { fakeBin } from '../helpers/fakego.js';
import { makeKey, writeKeyFile } from '../helpers/keys.js';
import { type DoctorWorld, installFake, makeDoctorWorld, simulateMac, writeExec } from './doctor-fixture.js';

let w: DoctorWorld;
beforeAll(async () => {
  w = await makeDoctorWorld();
});
afterAll(cleanupTempHomes);

describe('Apple Silicon and Rosetta (simulated)', () => {
  it('a translated process fails host.rosetta with how to get a native shell', async () => {
    const d = await w.doctor(await simulateMac(w, { translated: true }));
    expect(d.report.host).toEqual({ os: 'darwin', arch: 'arm64', appleSilicon: true, translated: true });
    const c = d.check('host.rosetta');
    expect(c).toMatchObject({ status: 'fail', detail: { translated: true } });
    expect(c.message).toMatch(/translated by Rosetta/);
    expect(c.fix).toContain('arch -arm64 /bin/zsh -l');
    expect(d.code).toBe(11);
  });

  it('a native arm64 process on Apple Silicon is fine', async () => {
    const d = await w.doctor(await simulateMac(w));
    expect(d.check('host.apple-silicon')).toMatchObject({ status: 'ok', detail: { appleSilicon: true } });
    expect(d.check('host.rosetta')).toMatchObject({ status: 'ok', detail: { translated: false } });
    expect(d.check('host.platform').message).toMatch(/^darwin\/arm64 \(simulated\)/);
  });

  it('an Intel Mac is recognised; Linux skips the Mac checks', async () => {
    const d = await w.doctor(await simulateMac(w, { appleSilicon: false }));
    expect(d.check('host.apple-silicon')).toMatchObject({ status: 'ok', message: 'Intel Mac (amd64)' });
    const linux = await w.doctor();
    expect(linux.check('host.apple-silicon').status).toBe('skip');
    expect(linux.check('host.rosetta').status).toBe('skip');
  });
});

describe('variables exported globally (issue 14)', () => {
  it('GOARCH, GOHOSTARCH, HOSTTYPE, CGO_ENABLED exported by a start-up file: a warning naming file:line', async () => {
    const mac = await makeDoctorWorld();
    const sim = await simulateMac(mac);
    expect((await mac.doctor(sim)).check('env.exports').status).toBe('ok');
    await writeFile(
      join(mac.user, '.zprofile'),
      [
        '# export GOARCH=amd64 (a comment)',
        'export GOARCH=amd64',
        'GOARCH=arm64 go build ./...   # one command only: fine',
        'typeset -x GOHOSTARCH=amd64',
        'export PATH="$HOME/bin:$PATH" HOSTTYPE',
        'export GOARCH_EXTRA=1 MY_CGO_ENABLED=1',
        'launchctl setenv CGO_ENABLED 0',
      ].join('\n'),
    );
    const c = (await mac.doctor(sim)).check('env.exports');
    expect(c.status).toBe('warn');
    expect(c.detail).toEqual({
      exports: [
        { name: 'GOARCH', where: '~/.zprofile:2' },
        { name: 'GOHOSTARCH', where: '~/.zprofile:4' },
        { name: 'HOSTTYPE', where: '~/.zprofile:5' },
        { name: 'CGO_ENABLED', where: '~/.zprofile:7' },
      ],
    });
    expect(c.message).toContain('GOARCH (~/.zprofile:2)');
    expect(c.fix).toMatch(/remove those lines/);
    // fish and bash syntax, for those login shells; and an inherited HOSTTYPE with no start-up line.
    await mkdir(join(mac.user, '.config', 'fish'), { recursive: true });
    await writeFile(
      join(mac.user, '.config', 'fish', 'config.fish'),
      'set -gx GOARCH amd64\nset -x -g CGO_ENABLED 1\n',
    );
    const fish = (await mac.doctor({ ...sim, SHELL: '/usr/bin/fish', HOSTTYPE: 'x86_64' })).check('env.exports');
    expect(fish.detail).toEqual({
      exports: [
        { name: 'GOARCH', where: '~/.config/fish/config.fish:1' },
        { name: 'HOSTTYPE', where: 'this environment' },
        { name: 'CGO_ENABLED', where: '~/.config/fish/config.fish:2' },
      ],
    });
    await writeFile(join(mac.user, '.bashrc'), 'declare -gx GOHOSTARCH=arm64\n');
    const bash = (await mac.doctor({ ...sim, SHELL: '/bin/bash' })).check('env.exports');
    expect(bash.detail).toEqual({ exports: [{ name: 'GOHOSTARCH', where: '~/.bashrc:1' }] });
  });
});

describe('the C toolchain for cgo', () => {
  const noCompiler = () => join(w.base, 'empty-bin');
  beforeAll(() => mkdir(noCompiler(), { recursive: true }));

  it(
    'Linux: no gcc fails when cgo is on explicitly, ' + "warns when it is only Go's default, skips when it is off",
    async () => {
      const PATH = `${join(w.home, 'shims')}:${noCompiler()}`;
      const on = (await w.doctor({ PATH, CGO_ENABLED: '1' })).check('cgo.compiler');
      expect(on).toMatchObject({
        status: 'fail',
        detail: { cc: 'gcc', path: null, from: 'CGO_ENABLED in the environment' },
      });
      expect(on.fix).toMatch(/apt-get install gcc/);
      const dflt = (await w.doctor({ PATH })).check('cgo.compiler');
      expect(dflt.status).toBe('warn');
      expect(dflt.message).toMatch(/Go 1\.20\+ quietly builds with CGO_ENABLED=0/);
      expect((await w.doctor({ PATH, CGO_ENABLED: '0' })).check('cgo.compiler')).toMatchObject({
        status: 'skip',
        message: 'cgo is off (CGO_ENABLED in the environment)',
      });
      // A project that turns cgo off needs no compiler either.
      await installFake(w.home, '1.23.4');
      const dir = join(w.base, 'nocgo');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.goarm.toml'), 'go = "1.23"\n[cgo]\nenabled = false\n');
      expect((await w.doctor({ PATH }, dir)).check('cgo.compiler').message).toBe(
        `cgo is off (cgo.enabled in ${join(dir, '.goarm.toml')})`,
      );
    },
  );

  it('Linux: a lone cc is a warning (go looks for gcc); CC naming a real program is fine', async () => {
    const cc = join(w.base, 'cc-only');
    await writeExec(join(cc, 'cc'), '#!/bin/sh\n');
    const c = (await w.doctor({ PATH: `${join(w.home, 'shims')}:${cc}`, CGO_ENABLED: '1' })).check('cgo.compiler');
    expect(c.status).toBe('warn');
    expect(c.message).toContain(`${cc}/cc exists`);
    const mine = await writeExec(join(w.base, 'tools', 'my-cc'), '#!/bin/sh\n');
    expect(
      (await w.doctor({ PATH: noCompiler(), CGO_ENABLED: '1', CC: `${mine} -O2` })).check('cgo.compiler'),
    ).toMatchObject({ status: 'ok', detail: { path: mine } });
    expect(
      (await w.doctor({ PATH: noCompiler(), CGO_ENABLED: '1', CC: 'nosuch-cc' })).check('cgo.compiler').status,
    ).toBe('fail');
  });

  it('macOS (simulated): xcrun --find clang and xcode-select -p decide', async () => {
    const mac = await makeDoctorWorld();
    const sim = await simulateMac(mac);
    const clt = join(mac.base, 'CommandLineTools');
    await mkdir(join(clt, 'usr', 'bin'), { recursive: true });
    await fakeBin(
      mac.bin,
      'xcrun',
      `[ "$1 $2" = "--find clang" ] && [ -z "$NO_CLT" ] && echo ${clt}/usr/bin/clang && exit 0
echo "xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), ` +
        'missing xcrun at: /Library/Developer/CommandLineTools/usr/bin/xcrun" >&2; exit 1',
    );
    await fakeBin(
      mac.bin,
      'xcode-select',
      '[ -n "$NO_CLT" ] && { echo "xcode-select: error: unable to get active developer directory" >&2; exit 2; }; ' +
        `echo ${clt}`,
    );
    const good = await mac.doctor({ ...sim, CGO_ENABLED: '1' });
    expect(good.check('cgo.compiler')).toMatchObject({
      status: 'ok',
      detail: { cc: 'clang', path: `${clt}/usr/bin/clang` },
    });
    expect(good.check('cgo.clt')).toMatchObject({ status: 'ok', detail: { path: clt } });
    const bad = await mac.doctor({ ...sim, CGO_ENABLED: '1', NO_CLT: '1' });
    expect(bad.check('cgo.compiler')).toMatchObject({ status: 'fail', fix: 'xcode-select --install' });
    expect(bad.check('cgo.compiler').message).toContain('invalid active developer path');
    expect(bad.check('cgo.clt')).toMatchObject({ status: 'fail', fix: 'xcode-select --install' });
    expect(bad.check('cgo.clt').message).toMatch(/not installed \(xcode-select -p failed\)/);
    // Only Go's default: warnings, not failures.
    const dflt = await mac.doctor({ ...sim, NO_CLT: '1' });
    expect([dflt.check('cgo.compiler').status, dflt.check('cgo.clt').status]).toEqual(['warn', 'warn']);
  });
});

describe('signing keys', () => {
  it(
    'the pinned key: ok while a signing subkey is valid, ' +
      'a warning within 90 days of the newest expiry, a failure after',
    async () => {
      const now = (await w.doctor({ GOARM_SIMULATE_NOW: '2026-06-01' })).check('keys.pinned');
      expect(now).toMatchObject({ status: 'ok', detail: { fingerprint: 'eb4c1bfd4f042f6dddccec917721f63bd38b4796' } });
      expect(now.message).toContain('fd533c07c264648f valid until 2028-01-07');
      const soon = (await w.doctor({ GOARM_SIMULATE_NOW: '2027-12-01' })).check('keys.pinned');
      expect(soon.status).toBe('warn');
      expect(soon.message).toContain('expires on 2028-01-07 (in 37 days)');
      expect(soon.fix).toMatch(/update goarm/);
      const late = await w.doctor({ GOARM_SIMULATE_NOW: '2028-02-01' });
      expect(late.check('keys.pinned').status).toBe('fail');
      expect(late.check('keys.pinned').message).toMatch(/no signing subkey is valid on 2028-02-01/);
      expect(late.code).toBe(11);
    },
  );

  it('keyHealth on generated keys: never expires, expires in 30 days, expired', async () => {
    const now = new Date();
    const forever = await makeKey();
    const read = async (k: { armoredPublic: string }) => openpgp.readKey({ armoredKey: k.armoredPublic });
    expect((await keyHealth(await read(forever), now)).status).toBe('ok');
    const short = await makeKey({ subkeyExpiresIn: 31 * 86400 });
    const h = await keyHealth(await read(short), now);
    expect(h.status).toBe('warn');
    expect(h.message).toMatch(/\(in 29 days\)|\(in 30 days\)/);
    const later = new Date(now.getTime() + 40 * 86400_000);
    expect((await keyHealth(await read(short), later)).status).toBe('fail');
    expect(h.subkeys).toHaveLength(1);
  });

  it('trusted_keys from config.toml: checked too, and an unreadable one fails', async () => {
    const k = await writeKeyFile(join(w.base, 'keys'), await makeKey({ subkeyExpiresIn: 10 * 86400 }));
    const junk = join(w.base, 'keys', 'junk.asc');
    await writeFile(junk, 'not a key');
    await writeFile(join(w.home, 'config.toml'), `trusted_keys = [${JSON.stringify(k)}]\n`);
    const now = new Date().toISOString();
    expect((await w.doctor({ GOARM_SIMULATE_NOW: now })).check('keys.trusted').status).toBe('warn');
    await writeFile(join(w.home, 'config.toml'), `trusted_keys = [${JSON.stringify(k)}, ${JSON.stringify(junk)}]\n`);
    const c = (await w.doctor({ GOARM_SIMULATE_NOW: now })).check('keys.trusted');
    expect(c.status).toBe('fail');
    expect(c.message).toContain(`${junk}: not an OpenPGP public key`);
    await writeFile(join(w.home, 'config.toml'), '');
    expect((await w.doctor()).check('keys.trusted').status).toBe('skip');
  });
});

describe('goarm cgo notes: what CGO_ENABLED=0 changes', () => {
  const deps = new Set(['net', 'os/user', 'time', 'fmt']);
  const ids = (s: Parameters<typeof cgoNotes>[0]) => cgoNotes(s).map((n) => `${n.id}:${n.level}`);
  it('macOS, Go 1.20+, cgo off: net and os/user use libSystem; time zones still explained', () => {
    const notes = cgoNotes({ goos: 'darwin', version: '1.22.5', cgo: false, tags: [], netdns: null, deps });
    expect(notes.map((n) => n.id)).toEqual(['net-darwin-libsystem', 'os-user-darwin-libsystem', 'time-zoneinfo']);
    expect(notes[0].text).toMatch(/since Go 1\.20 .*libSystem without cgo.*\/etc\/resolver/);
    expect(notes[2].text).toMatch(/zoneinfo\.zip.*time\/tzdata/);
  });
  it('macOS before Go 1.20, cgo off: the resolver and os/user warnings name the version', () => {
    const notes = cgoNotes({ goos: 'darwin', version: '1.19.13', cgo: false, tags: [], netdns: null, deps });
    expect(notes.slice(0, 2).map((n) => `${n.id}:${n.level}`)).toEqual([
      'net-darwin-pre-1.20:warn',
      'os-user-files:warn',
    ]);
    expect(notes[0].text).toMatch(/go1\.19\.13 .*\/etc\/resolver.*Go 1\.20 changed this/);
  });
  it('netgo, netdns=go and osusergo bypass the system even with cgo on', () => {
    expect(
      ids({ goos: 'darwin', version: '1.23.4', cgo: true, tags: ['netgo', 'osusergo'], netdns: null, deps }),
    ).toEqual(['net-pure-go:warn', 'os-user-files:warn']);
    const dns = cgoNotes({ goos: 'darwin', version: '1.23.4', cgo: true, tags: [], netdns: 'go', deps });
    expect(dns[0].text).toMatch(/GODEBUG=netdns=go .*\/etc\/resolver/);
    expect(
      cgoNotes({ goos: 'darwin', version: '1.23.4', cgo: true, tags: ['osusergo'], netdns: null, deps })[0].text,
    ).toMatch(/\/etc\/passwd and \/etc\/group only/);
  });
  it('Linux cgo off; cgo on with nothing forced says nothing; embedded tzdata and plugin', () => {
    expect(ids({ goos: 'linux', version: '1.19.8', cgo: false, tags: [], netdns: null, deps })).toEqual([
      'net-pure-go:info',
      'os-user-files:info',
      'time-zoneinfo:info',
    ]);
    expect(cgoNotes({ goos: 'linux', version: '1.23.4', cgo: true, tags: [], netdns: null, deps })).toEqual([]);
    expect(
      ids({
        goos: 'linux',
        version: '1.23.4',
        cgo: false,
        tags: ['timetzdata'],
        netdns: null,
        deps: new Set(['time', 'plugin']),
      }),
    ).toEqual(['plugin:warn']);
  });
});
