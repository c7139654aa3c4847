// What dead or reused processes leave behind, and refusals that must come before any network access: a lock and a
// staging directory whose pid is alive again (pid reuse; pid 1 in containers), atomicWrite temporaries left by a
// kill -9, `mirror sync` under a lock, a bad spec, and a missing file (HTTP or mirror directory: one code).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { goArchiveName, HOST } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { expectRefused, ls, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
});
afterEach(() => mirror.clearFaults());
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

/** Field 22 of /proc/<pid>/stat: when the process started (Linux). */
async function startOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe.runIf(process.platform === 'linux')('a recorded pid that is alive again', () => {
  it('a lock and staging dir owned by a live pid with another start time are stale: no wait, swept', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.24.1');
    // This test runner is alive; the stamp claims an earlier process with its pid (as after a reuse).
    const reused = `${process.pid}.${Number(await startOf(process.pid)) - 1}`;
    const lock = join(env.home, 'locks', `${filename}.lock`);
    await mkdir(lock, { recursive: true });
    await writeFile(join(lock, 'owner'), `${reused} 0123456789abcdef`);
    const debris = join(env.home, 'staging', `${reused.replace('.', '-')}-AbCdEf`);
    await mkdir(join(debris, 'go'), { recursive: true });
    const t0 = Date.now();
    const res = await env.run(['install', '1.24.1'], { GOARM_LOCK_TIMEOUT_MS: '20000' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/waiting for another goarm/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await ls(join(env.home, 'locks'))).toEqual([]);
    expect(await ls(join(env.home, 'staging'))).toEqual([]);
  });

  it('a lock held by a live process with its real start time is respected (E_LOCKED after the timeout)', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.24.2');
    const lock = join(env.home, 'locks', `${filename}.lock`);
    await mkdir(lock, { recursive: true });
    await writeFile(join(lock, 'owner'), `${process.pid}.${await startOf(process.pid)} 0123456789abcdef`);
    const res = await env.run(['install', '1.24.2'], { GOARM_LOCK_TIMEOUT_MS: '500' });
    await expectRefused(env, res, {
      exit: 9,
      code: 'E_LOCKED',
      word: 'another goarm process holds',
      version: '1.24.2',
    });
  });

  it('mirror sync takes a lock on its directory', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.24.3');
    const dir = await tempHome('goarm-sync-');
    await mkdir(join(dir, '.goarm-sync.lock'));
    await writeFile(join(dir, '.goarm-sync.lock', 'owner'), `${process.pid}.${await startOf(process.pid)} feedface`);
    const res = await env.run(['mirror', 'sync', dir, '1.24.3'], { GOARM_LOCK_TIMEOUT_MS: '500' });
    expect(res.code, res.stderr).toBe(9);
    expect(res.stderr).toMatch(/waiting for another goarm to finish syncing/);
    expect(res.stderr).toMatch(/^error: another goarm process holds .*\.goarm-sync\.lock \[E_LOCKED\]$/m);
    expect(await ls(dir)).toEqual(['.goarm-sync.lock']);
  });
});

describe('an unfinished command never exits 0', () => {
  it('a promise that never settles (mkdir hung by a preload) ends with exit 1 and says so', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.24.6');
    // A preload that makes every fs/promises mkdir hang: nothing keeps the event loop alive, so Node exits early.
    const hang = join(await tempHome('goarm-hang-'), 'hang.mjs');
    await writeFile(
      hang,
      "import fs from 'node:fs/promises';\nimport { syncBuiltinESMExports } from 'node:module';\n" +
        'fs.mkdir = () => new Promise(() => {});\nsyncBuiltinESMExports();\n',
    );
    const res = await env.run(['install', '1.24.6'], { NODE_OPTIONS: `--import=${hang}` });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/^error: internal error: goarm stopped before the command finished$/m);
    expect(await ls(join(env.home, 'versions'))).toEqual([]);
  });
});

describe('debris and early refusals', () => {
  it("atomicWrite temporaries of dead processes in manifests/ and cache/ are swept; a live one's kept", async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.24.4');
    const dead = '.go1.24.0.json.999999999.0badc0de.tmp';
    const live = `.index.json.${process.pid}.0badc0de.tmp`;
    for (const d of ['manifests', 'cache']) await mkdir(join(env.home, d), { recursive: true });
    await writeFile(join(env.home, 'manifests', dead), '{');
    await writeFile(join(env.home, 'cache', live), '{');
    const res = await env.run(['install', '1.24.4']);
    expect(res.code, res.stderr).toBe(0);
    expect(await ls(join(env.home, 'manifests'))).not.toContain(dead);
    expect(await ls(join(env.home, 'cache'))).toContain(live);
  });

  it("install 'bad/../x' is E_BAD_SPEC before any network access", async () => {
    const env = await makeEnv(mirror, [key]);
    const before = mirror.requests.length;
    const res = await env.run(['install', '1.24.4', 'bad/../x']);
    await expectRefused(env, res, { exit: 2, code: 'E_BAD_SPEC', word: '"bad/../x" is not a Go version' });
    expect(mirror.requests.length).toBe(before);
  });

  it('a file missing over HTTP and in a mirror directory: the same E_FILE_NOT_FOUND, exit 4', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.24.5');
    mirror.fault(`/files/${filename}`, { status: 404 });
    const http = await env.run(['install', '1.24.5']);
    await expectRefused(env, http, { exit: 4, code: 'E_FILE_NOT_FOUND', word: 'not found \\(HTTP 404\\)' });
    mirror.clearFaults();
    // A synced directory that lost its tarball (and the fallback host has lost it too).
    const dir = await tempHome('goarm-dir-');
    const sync = await env.run(['mirror', 'sync', dir, '1.24.5']);
    expect(sync.code, sync.stderr).toBe(0);
    await rm(join(dir, goArchiveName('1.24.5', HOST.os, HOST.arch)));
    mirror.fault(`/files/${filename}`, { status: 404 });
    const local = await env.run(['install', '--from', dir, '1.24.5']);
    await expectRefused(env, local, { exit: 4, code: 'E_FILE_NOT_FOUND', word: 'not found: file://' });
  });
});
