// HTTPS_PROXY / HTTP_PROXY / NO_PROXY: installs through a real proxy, CONNECT for https (so the proxy never sees the
// mirror credentials), absolute-form requests for plain http. A small proxy written here logs what it relays;
// Debian's tinyproxy is used too when it is installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { exists, expectRefused, makeEnv, publish } from './install-fixture.js';
import { authGateway, gate, leaks, type Proxy, type Running, startProxy, tlsFront } from './mirror-fixture.js';

let mirror: Mirror;
let key: TestKey;
let proxy: Proxy;
let tls: Awaited<ReturnType<typeof tlsFront>>;
let gw: Running;
let tlsGw: Awaited<ReturnType<typeof tlsFront>>;
const PASSWORD = `px-${randomBytes(9).toString('hex')}`;

beforeAll(async () => {
  [mirror, key, proxy] = await Promise.all([startMirror(), makeKey(), startProxy()]);
  tls = await tlsFront(Number(new URL(mirror.url).port));
  gw = await authGateway(mirror, gate(`alice:${PASSWORD}`));
  tlsGw = await tlsFront(Number(new URL(gw.url).port));
  await Promise.all(['1.22.1', '1.22.2', '1.22.3', '1.22.4', '1.22.5', '1.22.6'].map((v) => publish(mirror, key, v)));
});
afterAll(async () => {
  await Promise.all([tls?.close(), tlsGw?.close(), gw?.close(), proxy?.close()]);
  await mirror?.close();
  await cleanupTempHomes();
});

/** A mirror-like pair of URLs under another base (the TLS front, or the proxy-visible origin). */
const at = (base: string) =>
  ({ indexUrl: `${base}/dl/?mode=json&include=all`, downloadBase: `${base}/files/` }) as Mirror;
const hostOf = (url: string) => new URL(url).host;

describe('through a proxy', () => {
  it('https via HTTPS_PROXY: the proxy sees only CONNECT to the mirror, and the install works', async () => {
    const env = await makeEnv(at(tls.url), [key]);
    const before = proxy.connects.length;
    const res = await env.run(['install', '1.22.1'], { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: tls.caFile });
    expect(res.code, res.stderr).toBe(0);
    const tunnels = proxy.connects.slice(before);
    expect(tunnels.length).toBeGreaterThan(0); // usually one, kept alive for the index, the .asc and the tarball
    expect(new Set(tunnels)).toEqual(new Set([hostOf(tls.url)]));
    expect(mirror.requests.filter((r) => r.path.includes('1.22.1')).length).toBe(2);
  });

  it('plain http via HTTP_PROXY: absolute-form requests, one per resource', async () => {
    const env = await makeEnv(mirror, [key]);
    const before = proxy.forwarded.length;
    const res = await env.run(['install', '1.22.2'], { HTTP_PROXY: proxy.url });
    expect(res.code, res.stderr).toBe(0);
    expect(proxy.forwarded.slice(before)).toEqual([
      `GET ${mirror.indexUrl}`,
      expect.stringMatching(new RegExp(`^GET ${mirror.downloadBase}go1\\.22\\.2\\.\\S+\\.tar\\.gz\\.asc$`)),
      expect.stringMatching(new RegExp(`^GET ${mirror.downloadBase}go1\\.22\\.2\\.\\S+\\.tar\\.gz$`)),
    ]);
  });

  it('NO_PROXY bypasses the proxy', async () => {
    const env = await makeEnv(mirror, [key]);
    const seen = [proxy.connects.length, proxy.forwarded.length];
    const res = await env.run(['install', '1.22.3'], {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '127.0.0.1',
    });
    expect(res.code, res.stderr).toBe(0);
    expect([proxy.connects.length, proxy.forwarded.length]).toEqual(seen);
    expect(await exists(join(env.home, 'versions', '1.22.3', 'bin', 'go'))).toBe(true);
  });

  it('mirror credentials travel inside the CONNECT tunnel: the proxy never sees them', async () => {
    const env = await makeEnv(at(tlsGw.url), [key]);
    const res = await env.run(['install', '1.22.4'], {
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: tlsGw.caFile,
      GOARM_MIRROR_TOKEN: `alice:${PASSWORD}`,
      GOARM_MIRROR_TOKEN_HOST: hostOf(tlsGw.url),
      GOARM_DEBUG: '1',
    });
    expect(res.code, res.stderr).toBe(0);
    expect(gw.requests.filter((r) => r.headers.authorization).length).toBe(3);
    expect(proxy.connects).toContain(hostOf(tlsGw.url));
    expect(proxy.seen().length).toBeGreaterThan(1000); // it relayed the TLS bytes ...
    // ... and could read nothing
    expect(await leaks(`alice:${PASSWORD}`, { proxy: proxy.seen(), output: res.stdout + res.stderr })).toEqual([]);
  });

  it('a proxy that is down is E_NETWORK (exit 5) with a hint about the proxy settings', async () => {
    const env = await makeEnv(at(tls.url), [key]);
    const dead = await freePort();
    const res = await env.run(['install', '1.22.1'], {
      HTTPS_PROXY: `http://127.0.0.1:${dead}`,
      NODE_EXTRA_CA_CERTS: tls.caFile,
    });
    await expectRefused(env, res, { exit: 5, code: 'E_NETWORK', word: 'cannot reach' });
    expect(res.stderr).toMatch(/^hint: .*proxy settings \(HTTPS_PROXY, NO_PROXY\)/m);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

const TINYPROXY = ['/usr/bin/tinyproxy', '/usr/sbin/tinyproxy'].find((p) => existsSync(p));
if (!TINYPROXY)
  console.warn(
    'SKIPPED proxy.test.ts > tinyproxy: no tinyproxy binary (Debian: tinyproxy-bin); the in-test proxy above still ran',
  );

describe.skipIf(!TINYPROXY)('through Debian tinyproxy', () => {
  let child: ChildProcess;
  let url: string;
  let log = '';

  beforeAll(async () => {
    const dir = await tempHome('goarm-tinyproxy-');
    const port = await freePort();
    const conf = join(dir, 'tinyproxy.conf');
    // No ConnectPort lines: CONNECT to any port (the TLS front listens on a random one). As root, tinyproxy
    // insists on dropping privileges, so name the current user when that is root.
    const user = process.getuid?.() === 0 ? 'User nobody\nGroup nogroup\n' : '';
    await writeFile(
      conf,
      `${user}Port ${port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nLogLevel Connect\nMaxClients 20\n`,
    );
    child = spawn(TINYPROXY!, ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b) => {
      log += String(b);
    });
    child.stderr!.on('data', (b) => {
      log += String(b);
    });
    url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`tinyproxy did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(() => {
    child?.kill();
  });

  it('installs over https (CONNECT) and over plain http through tinyproxy', async () => {
    const secure = await makeEnv(at(tls.url), [key]);
    const a = await secure.run(['install', '1.22.5'], { HTTPS_PROXY: url, NODE_EXTRA_CA_CERTS: tls.caFile });
    expect(a.code, `${a.stderr}\n${log}`).toBe(0);
    const plain = await makeEnv(mirror, [key]);
    const b = await plain.run(['install', '1.22.6'], { HTTP_PROXY: url });
    expect(b.code, `${b.stderr}\n${log}`).toBe(0);
    // tinyproxy logs each request it handled
    expect(log).toMatch(new RegExp(`CONNECT ${hostOf(tls.url).replace(/\./g, '\\.')}`));
    expect(log).toMatch(new RegExp(`GET ${mirror.downloadBase.replace(/\./g, '\\.')}go1\\.22\\.6`));
  });
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}
