// What `goarm install` refuses to trust: bad hashes, bad or missing signatures, expired signing subkeys, hostile
// archives (correctly signed and hashed, so only the extractor stands in the way) and wrong-architecture binaries.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { type Entry, fakeBinary, HOST, makeGoTarball, makeHostileTarball, packTarGz } from '../helpers/gotree.js';
import { expiredSubkeyScenario, makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { exists, expectRefused, hostileTargets, ls, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [mirror, key, stranger] = await Promise.all([startMirror(), makeKey(), makeKey()]);
});
afterEach(() => mirror.clearFaults());
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

const escape = (s: string) => s.replace(/[?.]/g, '\\$&');

describe('checksums and signatures', () => {
  it('tampered bytes (index hash kept) are E_CHECKSUM, and the bad download is not kept for resuming', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.21.1');
    mirror.fault(filename, { tamper: true });
    await expectRefused(env, await env.run(['install', '1.21.1']), {
      exit: 6,
      code: 'E_CHECKSUM',
      word: 'SHA-256 mismatch',
      version: '1.21.1',
    });
    expect(await ls(join(env.home, 'downloads'))).toEqual([]);
  });

  it('an index hash that does not match the tarball is E_CHECKSUM', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.2', { sha256: 'ab'.repeat(32) });
    await expectRefused(env, await env.run(['install', '1.21.2']), {
      exit: 6,
      code: 'E_CHECKSUM',
      word: `index says ${'ab'.repeat(32)}`,
      version: '1.21.2',
    });
  });

  it('a signature by a key that is not trusted is E_SIGNATURE', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, stranger, '1.21.3');
    await expectRefused(env, await env.run(['install', '1.21.3']), {
      exit: 6,
      code: 'E_SIGNATURE',
      word: 'not trusted',
      version: '1.21.3',
    });
  });

  it("a missing .asc is E_NO_SIGNATURE; --skip-signature is refused when the index is not Google's", async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.4', { asc: null });
    await expectRefused(env, await env.run(['install', '1.21.4']), {
      exit: 6,
      code: 'E_NO_SIGNATURE',
      word: 'cannot be proven genuine',
      version: '1.21.4',
    });
    const before = mirror.requests.length;
    const skipped = await env.run(['install', '1.21.4', '--skip-signature']);
    await expectRefused(env, skipped, {
      exit: 2,
      code: 'E_USAGE',
      word: `--skip-signature needs Google's own index; the hashes here come from ${escape(mirror.indexUrl)}`,
      version: '1.21.4',
    });
    expect(mirror.requests.length).toBe(before);
  });

  it('an .asc with a signature by an unknown key first, then the trusted one, verifies', async () => {
    const env = await makeEnv(mirror, [key]);
    const body = await makeGoTarball({ version: '1.21.9' });
    const both = await openpgp.sign({
      message: await openpgp.createMessage({ binary: body }),
      signingKeys: [stranger.privateKey, key.privateKey],
      detached: true,
    });
    const packets = (await openpgp.readSignature({ armoredSignature: both as string })).packets;
    expect(packets.map((p) => key.privateKey.getKeys(p.issuerKeyID).length > 0)).toEqual([false, true]);
    await publish(mirror, key, '1.21.9', { body, asc: both as string });
    const res = await env.run(['install', '1.21.9']);
    expect(res.code, res.stderr).toBe(0);
  });

  it('a private key in trusted_keys is refused, and its content is not echoed', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.10');
    const secretFile = join(env.home, 'secret.asc');
    await writeFile(secretFile, key.privateKey.armor());
    const config = join(env.home, 'config.toml');
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace(/trusted_keys = \[/, `trusted_keys = [${JSON.stringify(secretFile)}, `),
    );
    const res = await env.run(['install', '1.21.10']);
    await expectRefused(env, res, { exit: 3, code: 'E_CONFIG', word: 'holds a PRIVATE key', version: '1.21.10' });
    expect(res.stderr).not.toContain('PRIVATE KEY BLOCK');
  });

  it('an expired signing subkey: a signature made before expiry is accepted, one made after is refused', async () => {
    const s = await expiredSubkeyScenario();
    const env = await makeEnv(mirror, [s.key]);
    const early = await makeGoTarball({ version: '1.21.5' });
    await publish(mirror, key, '1.21.5', { body: early, asc: await s.sigBeforeExpiry(early) });
    const ok = await env.run(['install', '1.21.5']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await exists(join(env.home, 'versions', '1.21.5', 'bin', 'go'))).toBe(true);

    const late = await makeGoTarball({ version: '1.21.6' });
    await publish(mirror, key, '1.21.6', { body: late, asc: await s.sigAfterExpiry(late) });
    const res = await env.run(['install', '1.21.6']);
    await expectRefused(env, res, { exit: 6, code: 'E_SIGNATURE', word: 'bad OpenPGP signature', version: '1.21.6' });
    expect(res.stderr).toMatch(/expired/i);
  });
});

/** go/VERSION and go/bin/go of a host build, then `hostile` members: a tarball whose only flaw is its paths. */
const withHostile = (version: string, hostile: Entry[]) =>
  packTarGz([
    { path: 'go/VERSION', body: `go${version}\ntime 2024-11-27T18:26:49Z\n` },
    { path: 'go/bin/go', mode: 0o755, body: fakeBinary(HOST.os, HOST.arch, 'go') },
    ...hostile,
  ]);

describe('hostile archives (correctly signed and hashed)', () => {
  const kinds: [string, string, (env: { home: string; outside: string; parent: string }) => Promise<Buffer>][] = [
    ['..', '1.20.1', async () => makeHostileTarball('dotdot', { version: '1.20.1' })],
    [
      '.. up to the parent of GOARM_HOME',
      '1.20.2',
      async () => withHostile('1.20.2', [{ path: 'go/../../../../goarm-dotdot.txt', body: 'escaped\n' }]),
    ],
    ['an absolute path', '1.20.3', async () => makeHostileTarball('absolute', { version: '1.20.3' })],
    [
      'a dangling symlink out of the root',
      '1.20.4',
      async () => makeHostileTarball('symlink-escape', { version: '1.20.4' }),
    ],
    // staging/<random>/go/lib/escape -> ../../../../outside is parent/outside, which exists; then write through it
    [
      'a symlink out of the root, then a member written through it',
      '1.20.5',
      async () =>
        withHostile('1.20.5', [
          { path: 'go/lib/escape', type: 'SymbolicLink', mode: 0o777, linkpath: '../../../../outside' },
          { path: 'go/lib/escape/pwned.txt', body: 'written through a symlink\n' },
        ]),
    ],
    [
      'an absolute symlink, then a member written through it',
      '1.20.6',
      async (env) =>
        withHostile('1.20.6', [
          { path: 'go/lib/abs', type: 'SymbolicLink', mode: 0o777, linkpath: env.outside },
          { path: 'go/lib/abs/pwned.txt', body: 'written through a symlink\n' },
        ]),
    ],
    ['a hard link out of the root', '1.20.7', async () => makeHostileTarball('hardlink-escape', { version: '1.20.7' })],
    // Once installed, go/ is versions/<v>: go/up -> .. would point into versions/.
    [
      'a symlink to the parent of go/',
      '1.20.8',
      async () => withHostile('1.20.8', [{ path: 'go/up', type: 'SymbolicLink', mode: 0o777, linkpath: '..' }]),
    ],
    // Linux compares bytes: go/x is a link, go/X a real directory, and X/../.. climbs out of go/.
    [
      'names that differ only in case, with a link through them',
      '1.20.9',
      async () =>
        withHostile('1.20.9', [
          { path: 'go/x', type: 'SymbolicLink', mode: 0o777, linkpath: 'bin' },
          { path: 'go/X/f', body: 'f\n' },
          { path: 'go/l', type: 'SymbolicLink', mode: 0o777, linkpath: 'X/../..' },
        ]),
    ],
    [
      'a top-level go that is a symlink',
      '1.20.10',
      async () => packTarGz([{ path: 'go', type: 'SymbolicLink', mode: 0o777, linkpath: '../../../outside' }]),
    ],
    [
      'a hard link to a directory',
      '1.20.11',
      async () => withHostile('1.20.11', [{ path: 'go/h', type: 'Link', linkpath: 'go/bin' }]),
    ],
  ];
  for (const [what, version, build] of kinds) {
    it(`refuses ${what} with E_UNSAFE_ARCHIVE and writes nothing outside`, async () => {
      const env = await makeEnv(mirror, [key]);
      for (const t of hostileTargets(env)) expect(await exists(t), `${t} exists before the test`).toBe(false);
      await publish(mirror, key, version, { body: await build(env) });
      const res = await env.run(['install', version]);
      await expectRefused(env, res, { exit: 7, code: 'E_UNSAFE_ARCHIVE', word: 'refusing unsafe archive', version });
      expect(await ls(join(env.home, 'versions'))).toEqual([]);
      expect(await ls(env.outside)).toEqual(['decoy.txt']);
    });
  }
});

describe('wrong contents', () => {
  it('a bin/go built for another architecture is E_WRONG_ARCH', async () => {
    const env = await makeEnv(mirror, [key]);
    const other = HOST.arch === 'amd64' ? 'arm64' : 'amd64';
    await publish(mirror, key, '1.19.1', { binArch: other });
    const res = await env.run(['install', '1.19.1']);
    await expectRefused(env, res, {
      exit: 7,
      code: 'E_WRONG_ARCH',
      word: `built for ${HOST.os}/${other}`,
      version: '1.19.1',
    });
  });
});
