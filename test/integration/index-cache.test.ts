// The release index cache: fresh for GOARM_INDEX_TTL (no request at all), then revalidated with ETag or
// Last-Modified (304 reuses it), `--refresh` asks at once; and a command exits as soon as it is done, even when the
// server would keep the connection alive for a long time. (runGoarm sets GOARM_INDEX_TTL=0 for the other tests.)
import { readFile, utimes } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

const indexGets = () => mirror.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/dl/'));
const TTL = { GOARM_INDEX_TTL: '600' };

describe('ls-remote and the cached index', () => {
  it('reuses a fresh index without asking; --refresh and a stale one revalidate with the ETag', async () => {
    const env = await makeEnv(mirror, [key], TTL);
    await publish(mirror, key, '1.21.3');
    const before = indexGets().length;
    const first = await env.run(['ls-remote']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1.21.3\n');
    expect(indexGets().length).toBe(before + 1);

    await publish(mirror, key, '1.21.4'); // the server changes, but the cache is fresh: not asked
    const second = await env.run(['ls-remote']);
    expect(second.stdout).toBe(first.stdout);
    expect(indexGets().length).toBe(before + 1);

    const refreshed = await env.run(['ls-remote', '--refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).toContain('1.21.4\n');
    expect(indexGets().at(-1)!.headers['if-none-match']).toMatch(/^"/);

    // Stale (TTL 0): asks with the ETag, gets 304, and keeps the cached copy.
    const stale = await env.run(['ls-remote'], { GOARM_INDEX_TTL: '0' });
    expect(stale.stdout).toBe(refreshed.stdout);
    expect(indexGets().length).toBe(before + 3);
    const { etag } = JSON.parse((await readFile(join(env.home, 'cache', 'index.jsonl'), 'utf8')).split('\n')[0]);
    expect(indexGets().at(-1)!.headers['if-none-match']).toBe(etag);
  });

  it('an index cached longer ago than the TTL is asked for again', async () => {
    const env = await makeEnv(mirror, [key], TTL);
    await publish(mirror, key, '1.21.5');
    expect((await env.run(['ls-remote'])).code).toBe(0);
    const n = indexGets().length;
    const old = new Date(Date.now() - 601_000);
    await utimes(join(env.home, 'cache', 'index.jsonl'), old, old);
    expect((await env.run(['ls-remote'])).code).toBe(0);
    expect(indexGets().length).toBe(n + 1);
    expect((await env.run(['ls-remote'])).code).toBe(0); // the 304 made it fresh again
    expect(indexGets().length).toBe(n + 1);
  });

  it('install reuses the fresh index too, and --refresh makes it ask', async () => {
    const env = await makeEnv(mirror, [key], TTL);
    await publish(mirror, key, '1.20.1');
    expect((await env.run(['ls-remote'])).code).toBe(0);
    const n = indexGets().length;
    const r = await env.run(['install', '1.20.1', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(indexGets().length).toBe(n);
    await publish(mirror, key, '1.20.2');
    const newer = await env.run(['install', '1.20', '--refresh', '--quiet']);
    expect(newer.code, newer.stderr).toBe(0);
    expect(indexGets().length).toBe(n + 1);
    expect((await env.run(['list'])).stdout).toContain('1.20.2');
  });
});

/** A server that validates with Last-Modified only, and keeps idle connections open for a minute. */
async function lastModifiedServer() {
  const seen: IncomingHttpHeaders[] = [];
  const modified = 'Mon, 01 Jan 2024 00:00:00 GMT';
  const body = JSON.stringify([{ version: 'go1.22.1', stable: true, files: [] }]);
  const server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.headers['if-modified-since'] === modified) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/json', 'last-modified': modified }).end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dl/`;
  return { seen, modified, url, close: () => new Promise((r) => server.close(r).closeAllConnections()) };
}

describe('Last-Modified and prompt exit', () => {
  it('revalidates with If-Modified-Since, and exits at once although the server keeps the connection', async () => {
    const srv = await lastModifiedServer();
    try {
      const home = await tempHome();
      const env = { GOARM_INDEX_URL: srv.url };
      const t0 = Date.now();
      const first = await runGoarm(['ls-remote'], { home, env });
      const firstMs = Date.now() - t0;
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toBe('1.22.1\n');
      expect(srv.seen[0]['if-modified-since']).toBeUndefined();
      const again = await runGoarm(['ls-remote'], { home, env });
      expect(again.stdout).toBe('1.22.1\n');
      expect(srv.seen[1]['if-modified-since']).toBe(srv.modified);
      // Held open by an idle keep-alive socket, the process would live until the server's 60 s timeout.
      expect(firstMs).toBeLessThan(30_000);
    } finally {
      await srv.close();
    }
  });
});
