// `goarm install` against hostile servers and a full disk: a captive portal that must not poison the fallback, an
// endless .asc and index, a server that never answers or trickles a byte every 2 s (short stall timeout), and a
// GOARM_HOME on a small tmpfs that fills during the download. Each refusal: exit code, message, nothing left behind.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { makeGoTarball } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { expectRefused, ls, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
});
afterEach(async () => {
  mirror.clearFaults();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

/** A throw-away HTTP server on 127.0.0.1:0 whose every request goes to `handler`; closed after each test. */
async function hostile(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push({
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
/** Runs fn every `ms` until the client goes away. */
const every = (req: IncomingMessage, ms: number, fn: () => void) => {
  const t = setInterval(fn, ms);
  req.socket.on('close', () => clearInterval(t));
};

/** Answers .asc requests with the real signature from the good mirror; everything else goes to `fn`. */
const withAsc =
  (fn: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.endsWith('.asc')) return fn(req, res);
    void fetch(new URL(req.url.split('/').pop()!, mirror.downloadBase)).then(async (r) =>
      res.writeHead(r.status).end(await r.text()),
    );
  };

const PORTAL = '<!DOCTYPE html><html><body>Please log in to the hotel Wi-Fi</body></html>\n';
const tarballGets = (filename: string) =>
  mirror.requests.filter((r) => r.method === 'GET' && r.path === `/files/${filename}`);

describe('a bad mirror does not poison the fallback', () => {
  it('a captive portal (200 text/html) is refused at once; the official host then serves the whole file', async () => {
    const portal = await hostile((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PORTAL));
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.21.1');
    const res = await env.run(['install', '1.21.1'], { GOARM_MIRROR: portal });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/answered with a web page \(text\/html\), not the file \[E_HTTP\]; trying http/);
    expect(tarballGets(filename).map((r) => r.range)).toEqual([undefined]);
    expect(await ls(join(env.home, 'downloads'))).toEqual([]);
    expect(res.stderr + res.stdout).not.toContain('hotel');
  });

  it('a short untyped page is retried, then discarded: the next source starts from zero', async () => {
    // No Content-Type, no Content-Length: the bytes reach downloads/ before the server hangs up.
    const portal = await hostile((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(PORTAL);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.21.2');
    const res = await env.run(['install', '1.21.2'], { GOARM_MIRROR: portal });
    expect(res.code, res.stderr).toBe(0);
    expect(tarballGets(filename).map((r) => r.range)).toEqual([undefined]);
    expect(await ls(join(env.home, 'versions'))).toEqual(['1.21.2']);
  });

  it('a server that is the only source and serves a web page: E_HTTP, exit 5, nothing kept', async () => {
    const portal = await hostile((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PORTAL));
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.3');
    const res = await env.run(['install', '1.21.3'], { GOARM_DOWNLOAD_BASE: portal });
    await expectRefused(env, res, { exit: 5, code: 'E_HTTP', word: 'web page', version: '1.21.3' });
    expect(await ls(join(env.home, 'downloads'))).toEqual([]);
    // The good host afterwards: a clean install, nothing spliced from the portal.
    const ok = await env.run(['install', '1.21.3']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a wrong Content-Length is E_SIZE before any byte is kept', async () => {
    const liar = await hostile(
      withAsc((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '5' }).end('12345'),
      ),
    );
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.4');
    const res = await env.run(['install', '1.21.4'], { GOARM_DOWNLOAD_BASE: liar });
    await expectRefused(env, res, { exit: 6, code: 'E_SIZE', word: 'announced 5 bytes', version: '1.21.4' });
    expect(await ls(join(env.home, 'downloads'))).toEqual([]);
  });
});

describe('size caps and the stall timeout', () => {
  const endless = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 'A');
    every(req, 1, () => res.write(chunk));
  };

  it('an endless .asc is E_TOO_LARGE after a few KiB', async () => {
    const base = await hostile((req, res) =>
      req.url?.endsWith('.asc') ? endless(req, res) : res.writeHead(404).end(),
    );
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.21.5');
    const res = await env.run(['install', '1.21.5'], { GOARM_DOWNLOAD_BASE: base });
    await expectRefused(env, res, { exit: 6, code: 'E_TOO_LARGE', word: 'larger than 16384 bytes', version: '1.21.5' });
  });

  it('an endless index is E_TOO_LARGE, and nothing is cached', async () => {
    const url = await hostile(endless);
    const env = await makeEnv(mirror, [key]);
    const res = await env.run(['install', '1.21.5'], { GOARM_INDEX_URL: url });
    await expectRefused(env, res, { exit: 6, code: 'E_TOO_LARGE', word: 'larger than 16777216 bytes' });
    // cache/code is goarm's own compiled code (src/boot.ts), not anything the server sent
    expect((await ls(join(env.home, 'cache'))).filter((n) => n !== 'code')).toEqual([]);
  });

  it('a server that never answers is E_NETWORK within the stall timeout and its retries', async () => {
    const silent = await hostile(() => {});
    const env = await makeEnv(mirror, [key]);
    const t0 = Date.now();
    const res = await env.run(['install', '1.21.6'], { GOARM_INDEX_URL: silent, GOARM_STALL_TIMEOUT: '1' });
    await expectRefused(env, res, { exit: 5, code: 'E_NETWORK', word: 'sent nothing for 1 s', version: '1.21.6' });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(await ls(join(env.home, 'locks'))).toEqual([]);
  });

  it('a tarball trickled one byte every 2 s is E_NETWORK in bounded time, lock released', async () => {
    await publish(mirror, key, '1.21.7');
    const trickle = await hostile(
      withAsc((req, res) => {
        // It ignores Range but keeps its ETag, so each retry skips what is held and waits for one more byte.
        res.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"trickle"' });
        res.write('x');
        every(req, 2000, () => res.write('x'));
      }),
    );
    const env = await makeEnv(mirror, [key]);
    const t0 = Date.now();
    const res = await env.run(['install', '1.21.7', '--quiet'], {
      GOARM_DOWNLOAD_BASE: trickle,
      GOARM_STALL_TIMEOUT: '1',
    });
    await expectRefused(env, res, { exit: 5, code: 'E_NETWORK', word: 'stall timeout', version: '1.21.7' });
    expect(Date.now() - t0).toBeLessThan(40_000);
    expect(await ls(join(env.home, 'locks'))).toEqual([]);
  });

  it('stall_timeout in config.toml is validated and honoured', async () => {
    const silent = await hostile(() => {});
    const env = await makeEnv(mirror, [key]);
    const bad = await env.run(['config', 'set', 'stall_timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/stall_timeout must be a number of seconds/);
    expect((await env.run(['config', 'set', 'stall_timeout', '1s'])).code).toBe(0);
    expect(await readFile(join(env.home, 'config.toml'), 'utf8')).toMatch(/^stall_timeout = "1s"$/m);
    const res = await env.run(['install', '1.21.6'], { GOARM_INDEX_URL: silent });
    await expectRefused(env, res, { exit: 5, code: 'E_NETWORK', word: 'sent nothing for 1 s', version: '1.21.6' });
  });
});

describe('a full disk', () => {
  /** Mounts a `size` tmpfs at dir (root only); under CI=true a machine that cannot must fail the test. */
  function mountTmpfs(dir: string, size: string): boolean {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
      return true;
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the disk-full test: ${e}`);
      return false;
    }
  }

  it('fills during the download: E_DISK_FULL (exit 8), no retry, no other source, no debris; twice', async (ctx) => {
    const env = await makeEnv(mirror, [key]);
    const config = await readFile(join(env.home, 'config.toml'), 'utf8');
    const payload = randomBytes(1_500_000).toString('base64'); // ~2 MB that gzip cannot shrink
    const { filename } = await publish(mirror, key, '1.21.8', {
      body: await makeGoTarball({ version: '1.21.8', extraFiles: { 'go/misc/blob.txt': payload } }),
    });
    if (!mountTmpfs(env.home, '1m')) return ctx.skip();
    try {
      await writeFile(join(env.home, 'config.toml'), config);
      await mkdir(join(env.home, 'versions'));
      for (let round = 1; round <= 2; round++) {
        const before = tarballGets(filename).length;
        const res = await env.run(['install', '1.21.8'], { GOARM_MIRROR: `${mirror.url}/dl/` });
        await expectRefused(env, res, { exit: 8, code: 'E_DISK_FULL', word: 'no space left', version: '1.21.8' });
        expect(res.stderr).not.toMatch(/trying|retrying|internal error/);
        expect(tarballGets(filename).length - before, `round ${round}`).toBe(1);
        expect(await ls(join(env.home, 'downloads'))).toEqual([]);
        expect(await ls(join(env.home, 'locks'))).toEqual([]);
        expect(await ls(join(env.home, 'versions'))).toEqual([]);
      }
    } finally {
      execFileSync('umount', [env.home]);
    }
  });

  it('a read-only downloads/: E_PERMISSION (exit 8) at once, no retry, no other source', async (ctx) => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.21.11');
    const downloads = join(env.home, 'downloads');
    await mkdir(downloads, { recursive: true });
    if (!mountTmpfs(downloads, '1m')) return ctx.skip();
    try {
      execFileSync('mount', ['-o', 'remount,ro', downloads]);
      const before = tarballGets(filename).length;
      const res = await env.run(['install', '1.21.11'], { GOARM_MIRROR: `${mirror.url}/dl/` });
      await expectRefused(env, res, { exit: 8, code: 'E_PERMISSION', word: 'permission denied', version: '1.21.11' });
      expect(res.stderr).not.toMatch(/trying|internal error/);
      expect(tarballGets(filename).length - before).toBeLessThanOrEqual(1);
      expect(await ls(join(env.home, 'locks'))).toEqual([]);
    } finally {
      execFileSync('umount', [downloads]);
    }
  });
});
