// `goarm install` / list / uninstall / ls-remote against a local mirror: the happy path and how specs resolve.
// Every refused case goes through expectRefused (exit code, message, nothing left behind).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { HOST } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { exists, expectRefused, ls, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
const cross = { os: 'darwin', arch: 'arm64' };
const crossIsHost = HOST.os === cross.os && HOST.arch === cross.arch;

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
  await Promise.all([
    ...['1.22.9', '1.23.0', '1.23.1', '1.23.2', '1.23.3'].map((v) => publish(mirror, key, v)),
    publish(mirror, key, '1.23.4', { more: crossIsHost ? [] : [cross] }),
    publish(mirror, key, '1.24rc1', { stable: false }),
  ]);
});
afterEach(() => mirror.clearFaults());
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('install, list, uninstall', () => {
  it('installs an exact version, lists it, knows it is installed, and uninstalls only by exact name', async () => {
    const env = await makeEnv(mirror, [key]);
    const dir = join(env.home, 'versions', '1.23.4');
    const first = await env.run(['install', '1.23.4']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('installed go1.23.4');
    expect(await exists(join(dir, 'bin', 'go'))).toBe(true);
    expect(await exists(join(dir, 'bin', 'gofmt'))).toBe(true);
    expect(await ls(join(env.home, 'staging'))).toEqual([]);
    expect((await ls(join(env.home, 'downloads'))).filter((n) => n.endsWith('.partial'))).toEqual([]);

    const list = await env.run(['list']);
    expect(list.code, list.stderr).toBe(0);
    // The first Go installed became the default, and (no project file here) it is what applies.
    expect(list.stdout).toBe('* 1.23.4  (default; active here, the global default)\n');
    const json = await env.run(['list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name: '1.23.4', version: '1.23.4', path: dir }),
    ]);

    const again = await env.run(['install', '1.23.4']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/go1\.23\.4 is already installed/);

    const inexact = await env.run(['uninstall', '1.23']);
    await expectRefused(env, inexact, { exit: 4, code: 'E_NOT_INSTALLED', word: 'not installed' });
    expect(inexact.stderr).toMatch(/^hint: .*exact version.*1\.23\.4/m);
    expect(await exists(join(dir, 'bin', 'go'))).toBe(true);

    const rm = await env.run(['uninstall', '1.23.4']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toContain('removed go1.23.4');
    expect(await exists(dir)).toBe(false);
    expect(JSON.parse((await env.run(['list', '--json'])).stdout)).toEqual([]);
  });

  it('`install 1.23` picks the newest stable patch of the line', async () => {
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.23']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('installed go1.23.4');
    expect(await ls(join(env.home, 'versions'))).toEqual(['1.23.4']);
  });

  it('cross-installs --os darwin --arch arm64 into versions/<v>-darwin-arm64', async () => {
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.23.4', '--os', 'darwin', '--arch', 'arm64']);
    expect(res.code, res.stderr).toBe(0);
    const name = crossIsHost ? '1.23.4' : '1.23.4-darwin-arm64';
    expect(await ls(join(env.home, 'versions'))).toEqual([name]);
    expect(await exists(join(env.home, 'versions', name, 'bin', 'go'))).toBe(true);
    const json = JSON.parse((await env.run(['list', '--json'])).stdout);
    expect(json).toEqual([expect.objectContaining({ name, version: '1.23.4' })]);
  });
});

describe('prereleases', () => {
  it('installs an rc only when it is named', async () => {
    const env = await makeEnv(mirror, [key]);
    const latest = await env.run(['install', 'latest']);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toContain('installed go1.23.4');
    const rc = await env.run(['install', '1.24rc1']);
    expect(rc.code, rc.stderr).toBe(0);
    expect(rc.stdout).toContain('installed go1.24rc1');
    expect((await ls(join(env.home, 'versions'))).sort()).toEqual(['1.23.4', '1.24rc1']);
  });

  it('`install 1.24` does not fall back to 1.24rc1', async () => {
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.24']);
    await expectRefused(env, res, {
      exit: 4,
      code: 'E_UNKNOWN_VERSION',
      word: 'no Go release matches "1.24"',
      version: '1.24rc1',
    });
    expect(res.stderr).toMatch(/^hint: nearest releases: 1\.24rc1/m);
  });

  it('ls-remote hides prereleases unless --all; a prefix filters; --json gives the index entries', async () => {
    const env = await makeEnv(mirror, [key]);
    const plain = await env.run(['ls-remote']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim().split('\n')).toEqual(['1.22.9', '1.23.0', '1.23.1', '1.23.2', '1.23.3', '1.23.4']);
    const all = await env.run(['ls-remote', '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([
      '1.22.9',
      '1.23.0',
      '1.23.1',
      '1.23.2',
      '1.23.3',
      '1.23.4',
      '1.24rc1',
    ]);
    const json = await env.run(['ls-remote', '1.23', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      version: string;
      stable: boolean;
      files: { filename: string; sha256: string }[];
    }[];
    expect(rows.map((r) => r.version)).toEqual(['1.23.0', '1.23.1', '1.23.2', '1.23.3', '1.23.4']);
    expect(rows.every((r) => r.stable)).toBe(true);
    expect(rows[4].files.map((f) => f.filename)).toContain(`go1.23.4.${HOST.os}-${HOST.arch}.tar.gz`);
    expect(rows[4].files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });
});

describe('bad requests', () => {
  it('a malformed spec is a usage error (exit 2)', async () => {
    const env = await makeEnv(mirror, [key]);
    await expectRefused(env, await env.run(['install', '1.x']), {
      exit: 2,
      code: 'E_BAD_SPEC',
      word: '"1.x" is not a Go version',
    });
  });

  it('an unknown version names the nearest releases (exit 4)', async () => {
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.99']);
    await expectRefused(env, res, {
      exit: 4,
      code: 'E_UNKNOWN_VERSION',
      word: 'no Go release matches "1.99"',
      version: '1.99',
    });
    expect(res.stderr).toMatch(/^hint: nearest releases: .*1\.23\.4/m);
  });

  it('a platform the release has no archive for is E_NO_FILE (exit 4)', async () => {
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.23.4', '--os', 'plan9']);
    await expectRefused(env, res, {
      exit: 4,
      code: 'E_NO_FILE',
      word: `no archive for plan9/${HOST.arch}`,
      version: '1.23.4',
    });
    expect(res.stderr).toMatch(new RegExp(`^hint: available: .*${HOST.os}/${HOST.arch}`, 'm'));
  });
});
