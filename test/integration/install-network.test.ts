// `goarm install` over a misbehaving network: cut connections and resumes, HTTP errors, a broken index, no network,
// concurrent installs of one version, and a kill -9 in the middle of an extraction.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, GOARM_BIN } from '../helpers/cli.js';
import { makeGoTarball } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { exists, expectRefused, listTree, ls, makeEnv, publish } from './install-fixture.js';

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

/** A Go tree with ~200 KB of incompressible payload, so a download arrives in several chunks. */
const bigTree = (version: string) =>
  makeGoTarball({ version, extraFiles: { 'go/misc/blob.txt': randomBytes(150_000).toString('base64') } });
const filePath = (filename: string) => `/files/${filename}`;
const gets = (filename: string) => mirror.requests.filter((r) => r.method === 'GET' && r.path === filePath(filename));

describe('interrupted downloads', () => {
  it('resumes with Range after the connection is cut mid-download', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename, body } = await publish(mirror, key, '1.22.1', { body: await bigTree('1.22.1') });
    const cut = Math.floor(body.length / 2);
    mirror.fault(filename, { cutAfterBytes: cut, times: 1 });
    const res = await env.run(['install', '1.22.1']);
    expect(res.code, res.stderr).toBe(0);
    expect(await exists(join(env.home, 'versions', '1.22.1', 'misc', 'blob.txt'))).toBe(true);
    const ranges = gets(filename).map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    const resumed = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    expect(resumed.length, JSON.stringify(ranges)).toBeGreaterThan(0);
    expect(resumed[0]).toBeGreaterThan(0);
    expect(resumed[0]).toBeLessThanOrEqual(cut);
  });

  it('resumes a .partial left by an earlier run only from the same source with the same ETag (If-Range)', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename, body } = await publish(mirror, key, '1.22.2', { body: await bigTree('1.22.2') });
    const held = Math.floor(body.length / 3);
    const downloads = join(env.home, 'downloads');
    await mkdir(downloads, { recursive: true });
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"`;
    const hold = async (source: string, tag: string) => {
      await writeFile(join(downloads, `${filename}.partial`), body.subarray(0, held));
      await writeFile(join(downloads, `${filename}.partial.json`), JSON.stringify({ source, etag: tag }));
    };
    // From another source, or with another ETag: not spliced on, downloaded whole.
    await hold('http://elsewhere.invalid/' + filename, etag);
    const first = await env.run(['install', '1.22.2']);
    expect(first.code, first.stderr).toBe(0);
    expect(gets(filename).map((r) => r.range)).toEqual([undefined]);
    await env.run(['uninstall', '1.22.2']);
    await hold(mirror.downloadBase + filename, '"another-version"');
    const before = gets(filename).length;
    const second = await env.run(['install', '1.22.2']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/changed since the partial download started/);
    expect(
      gets(filename)
        .slice(before)
        .map((r) => [r.range, r.headers['if-range']]),
    ).toEqual([
      [`bytes=${held}-`, '"another-version"'],
      [undefined, undefined],
    ]);
    await env.run(['uninstall', '1.22.2']);
    // Same source, same ETag: resumed with Range + If-Range, only the rest is sent.
    await hold(mirror.downloadBase + filename, etag);
    const served = mirror.bytesServed(filePath(filename));
    const n = gets(filename).length;
    const res = await env.run(['install', '1.22.2']);
    expect(res.code, res.stderr).toBe(0);
    expect(
      gets(filename)
        .slice(n)
        .map((r) => [r.range, r.headers['if-range']]),
    ).toEqual([[`bytes=${held}-`, etag]]);
    expect(mirror.bytesServed(filePath(filename)) - served).toBe(body.length - held);
    expect(await ls(downloads)).toEqual([]);
  });
});

describe('HTTP and index failures', () => {
  it('HTTP 404 for the index is E_FILE_NOT_FOUND (exit 4), as a file missing from a mirror directory', async () => {
    const env = await makeEnv(mirror, [key]);
    mirror.fault('/dl/', { status: 404 });
    await expectRefused(env, await env.run(['install', '1.22.1']), {
      exit: 4,
      code: 'E_FILE_NOT_FOUND',
      word: 'not found \\(HTTP 404\\)',
      version: '1.22.1',
    });
  });

  it('HTTP 500 for the tarball is retried, then E_HTTP (exit 5)', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.22.3');
    mirror.fault(filename, { status: 500 });
    await expectRefused(env, await env.run(['install', '1.22.3']), {
      exit: 5,
      code: 'E_HTTP',
      word: 'HTTP 500 from',
      version: '1.22.3',
    });
    expect(gets(filename).length).toBeGreaterThan(1);
  });

  it('HTTP 500 twice, then the tarball: the install succeeds', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.22.4');
    mirror.fault(filename, { status: 500, times: 2 });
    const res = await env.run(['install', '1.22.4']);
    expect(res.code, res.stderr).toBe(0);
    expect(gets(filename).length).toBe(3);
    expect(await exists(join(env.home, 'versions', '1.22.4', 'bin', 'go'))).toBe(true);
  });

  it('a malformed index is E_INDEX_INVALID (exit 5)', async () => {
    const env = await makeEnv(mirror, [key]);
    mirror.fault('/dl/', { body: '[{"version": "go1.22.1", "files": [' });
    await expectRefused(env, await env.run(['install', '1.22.1']), {
      exit: 5,
      code: 'E_INDEX_INVALID',
      word: 'malformed',
      version: '1.22.1',
    });
  });

  it('no network and no cached index is E_NETWORK (exit 5)', async () => {
    const dead = await startMirror();
    await dead.close();
    const env = await makeEnv(dead, [key]);
    await expectRefused(env, await env.run(['install', '1.22.1']), {
      exit: 5,
      code: 'E_NETWORK',
      word: 'cannot reach 127\\.0\\.0\\.1',
      version: '1.22.1',
    });
  });

  it('no network but a cached index: ls-remote works and says it used the cache', async () => {
    const other = await startMirror();
    try {
      const env = await makeEnv(other, [key]);
      await publish(other, key, '1.22.7');
      const online = await env.run(['ls-remote']);
      expect(online.code, online.stderr).toBe(0);
      expect(online.stdout.trim()).toBe('1.22.7');
      await other.close();
      const offline = await env.run(['ls-remote']);
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stdout.trim()).toBe('1.22.7');
      expect(offline.stderr).toMatch(/cannot reach the release index .*using the copy cached at \d{4}-/);
    } finally {
      await other.close().catch(() => {});
    }
  });
});

describe('concurrency and crashes', () => {
  it('4 concurrent installs of one version: all succeed, the tarball is downloaded once', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename, body } = await publish(mirror, key, '1.22.5', { body: await bigTree('1.22.5') });
    const results = await Promise.all([1, 2, 3, 4].map(() => env.run(['install', '1.22.5'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.filter((r) => r.stdout.includes('installed go1.22.5 ('))).toHaveLength(1);
    expect(results.filter((r) => r.stdout.includes('already installed'))).toHaveLength(3);
    expect(mirror.bytesServed(filePath(filename))).toBe(body.length);
    expect(await ls(join(env.home, 'versions'))).toEqual(['1.22.5']);
    expect(await ls(join(env.home, 'staging'))).toEqual([]);
  });

  it('kill -9 during extraction, then a re-run: success, staging/ empty, no debris in versions/', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename, body } = await publish(mirror, key, '1.22.6', { body: await bigTree('1.22.6') });
    // The cut leaves the process asleep before its retry with a half-extracted tree in staging/.
    mirror.fault(filename, { cutAfterBytes: Math.floor(body.length * 0.8), times: 1 });
    const env0: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !/^(GO|GOARM_)|_proxy$/i.test(k)) env0[k] = v;
    const child = spawn(process.execPath, [GOARM_BIN, 'install', '1.22.6'], {
      cwd: env.home,
      stdio: 'ignore',
      env: { ...env0, GOARM_HOME: env.home, NO_COLOR: '1', GOARM_RETRY_DELAY_MS: '60000', GOARM_VULNDB: 'off' },
    });
    const exited = new Promise<string | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    const staging = join(env.home, 'staging');
    try {
      const deadline = Date.now() + 30_000;
      while (!(await listTree(staging)).some((p) => p.includes('/go/') && !p.endsWith('/'))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error('no extraction seen in staging/');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(await ls(staging)).not.toEqual([]); // the debris the next run must clear
    expect(await ls(join(env.home, 'versions'))).toEqual([]);
    const partial = (await stat(join(env.home, 'downloads', `${filename}.partial`))).size;

    const before = gets(filename).length;
    const res = await env.run(['install', '1.22.6']);
    expect(res.code, res.stderr).toBe(0);
    expect(await ls(staging)).toEqual([]);
    expect(await ls(join(env.home, 'versions'))).toEqual(['1.22.6']);
    expect(await exists(join(env.home, 'versions', '1.22.6', 'misc', 'blob.txt'))).toBe(true);
    expect(await ls(join(env.home, 'locks'))).toEqual([]);
    expect(
      gets(filename)
        .slice(before)
        .map((r) => r.range),
    ).toEqual([partial > 0 ? `bytes=${partial}-` : undefined]);
  });
});
