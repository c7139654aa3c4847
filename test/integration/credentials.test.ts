// A private mirror behind HTTP auth (Artifactory-like): ~/.netrc, GOARM_MIRROR_TOKEN and credentials in the URL
// work; without them the 401 names `goarm login`; credentials go only to their own origin, not across a redirect;
// and the secret never shows in any output (GOARM_DEBUG=1 included) or in any file goarm writes.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, type RunResult, runGoarm, tempHome } from '../helpers/cli.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { type Env, exists, expectRefused, makeEnv, publish } from './install-fixture.js';
import { authGateway, gate, leaks, type Running } from './mirror-fixture.js';

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const TOKEN = `tok-${randomBytes(9).toString('hex')}`;
const USERPASS = `alice:${PASSWORD}`;

let mirror: Mirror;
let key: TestKey;
let gw: Running;
let netrcDir: string;
const outputs: Record<string, string> = {};
const homes: string[] = [];

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
  gw = await authGateway(mirror, gate(USERPASS, TOKEN));
  netrcDir = await tempHome('goarm-netrc-');
});
afterAll(async () => {
  await gw?.close();
  await mirror?.close();
  await cleanupTempHomes();
});

/** A GOARM_HOME whose index and files both sit behind the gateway; every run has GOARM_DEBUG=1 and no ~/.netrc. */
async function privateEnv(front: Running = gw, urlPrefix = front.url): Promise<Env> {
  const env = await makeEnv(
    { indexUrl: `${urlPrefix}/dl/?mode=json&include=all`, downloadBase: `${urlPrefix}/files/` } as Mirror,
    [key],
  );
  homes.push(env.home);
  const run = env.run;
  env.run = async (args, extra = {}) => {
    const r = await run(args, { GOARM_DEBUG: '1', NETRC: join(netrcDir, 'none'), ...extra });
    record(`${args.join(' ')} #${Object.keys(outputs).length}`, r);
    return r;
  };
  return env;
}
const record = (label: string, r: RunResult) => {
  outputs[label] = r.stdout + r.stderr;
};
const gwHost = () => new URL(gw.url).host;
const authed = (reqs: Running['requests']) => reqs.filter((r) => r.headers.authorization !== undefined).length;

async function netrc(text: string): Promise<string> {
  const file = join(netrcDir, `netrc-${randomBytes(4).toString('hex')}`);
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

describe('a Basic-auth mirror', () => {
  it('without credentials: HTTP 401 is E_HTTP_AUTH and the hint names `goarm login <origin>`', async () => {
    const env = await privateEnv();
    const res = await env.run(['install', '1.23.4']);
    await expectRefused(env, res, { exit: 5, code: 'E_HTTP_AUTH', word: 'access denied \\(HTTP 401\\)' });
    expect(res.stderr).toContain(`hint: run \`goarm login ${gw.url}\``);
    expect(res.stderr).toMatch(/~\/\.netrc.*GOARM_MIRROR_TOKEN/);
  });

  it('works with ~/.netrc ($NETRC), as Go reads it for GOPROXY', async () => {
    await publish(mirror, key, '1.23.4');
    const env = await privateEnv();
    const file = await netrc(
      '# a comment-free netrc as Go writes it\nmachine example.com login bob password nope\n' +
        `machine 127.0.0.1\n  login alice\n  password ${PASSWORD}\n`,
    );
    const before = authed(gw.requests);
    const res = await env.run(['install', '1.23.4'], { NETRC: file });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`(credentials from ${file})`); // GOARM_DEBUG names the source, never the secret
    expect(authed(gw.requests) - before).toBe(3); // index, .asc, tarball
  });

  it('works with GOARM_MIRROR_TOKEN as user:password (Basic) and as a bearer token', async () => {
    await publish(mirror, key, '1.23.3');
    for (const token of [USERPASS, TOKEN]) {
      const env = await privateEnv();
      const res = await env.run(['install', '1.23.3'], {
        GOARM_MIRROR_TOKEN: token,
        GOARM_MIRROR_TOKEN_HOST: gwHost(),
      });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain('(credentials from GOARM_MIRROR_TOKEN)');
    }
    expect(gw.requests.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it(
    'works with credentials in the URL; ' + 'they are stripped from messages, logs, `config list` and the index cache',
    async () => {
      await publish(mirror, key, '1.23.2');
      const env = await privateEnv(gw, gw.url.replace('http://', `http://alice:${encodeURIComponent(PASSWORD)}@`));
      const res = await env.run(['install', '1.23.2']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain(`GET ${gw.url}/files/`);
      expect(await exists(join(env.home, 'cache', 'index.jsonl'))).toBe(true);
      const list = await env.run(['config', 'list']);
      expect(list.stdout).toContain('index_url = "http://***@127.0.0.1');
      // config.toml holds what the user wrote; nothing goarm wrote may hold it
      homes.splice(homes.indexOf(env.home), 1);
      expect(
        await leaks(
          USERPASS,
          {},
          ['cache', 'downloads', 'versions', 'staging', 'shims'].map((d) => join(env.home, d)),
        ),
      ).toEqual([]);
    },
  );

  it('wrong credentials: the message says which source was refused, and how to fix it', async () => {
    const env = await privateEnv();
    const wrong = `alice:wrong-${randomBytes(6).toString('hex')}`;
    const res = await env.run(['install', '1.23.4'], { GOARM_MIRROR_TOKEN: wrong, GOARM_MIRROR_TOKEN_HOST: gwHost() });
    await expectRefused(env, res, {
      exit: 5,
      code: 'E_HTTP_AUTH',
      word: `${gw.url} refused the credentials from GOARM_MIRROR_TOKEN \\(HTTP 401\\)`,
    });
    expect(res.stderr).toContain(`goarm login ${gw.url}`);
    expect(await leaks(wrong, { res: res.stdout + res.stderr })).toEqual([]);
  });

  it(
    'goarm login without a usable keychain fails clearly and points to ~/.netrc; ' + 'the typed secret is not echoed',
    async () => {
      const env = await privateEnv();
      const res = await env.run(['login', gw.url], { GOARM_KEYCHAIN: 'off' });
      const piped = await runGoarm(['login', gw.url], {
        home: env.home,
        input: `${USERPASS}\n`,
        env: { GOARM_KEYCHAIN: 'off', GOARM_DEBUG: '1' },
      });
      record('login piped', piped);
      for (const r of [res, piped]) {
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(
          /^error: no OS keychain is available: the keychain is turned off \(GOARM_KEYCHAIN=off\) \[E_NO_KEYCHAIN\]$/m,
        );
        expect(r.stderr).toMatch(
          /^hint: put the credentials in ~\/\.netrc instead \(machine 127\.0\.0\.1 login USER password SECRET\)/m,
        );
      }
      expect(await exists(join(env.home, 'logins.json'))).toBe(false);
    },
  );
});

describe('credentials stay with their origin', () => {
  it('are not sent across a redirect to another origin (a CDN behind the mirror)', async () => {
    await publish(mirror, key, '1.22.8');
    const cdn = await authGateway(mirror, gate(USERPASS), { redirectTarballs: true });
    try {
      const env = await privateEnv(cdn);
      const res = await env.run(['install', '1.22.8'], {
        GOARM_MIRROR_TOKEN: USERPASS,
        GOARM_MIRROR_TOKEN_HOST: new URL(cdn.url).host,
      });
      expect(res.code, res.stderr).toBe(0);
      const tarball = (r: { path: string }) => r.path.endsWith('.tar.gz');
      expect(cdn.requests.filter(tarball).map((r) => r.headers.authorization)).toEqual([
        `Basic ${Buffer.from(USERPASS).toString('base64')}`,
      ]);
      const atCdn = mirror.requests.filter(
        (r) => tarball(r) && r.path.includes('1.22.8') && r.headers.host === new URL(mirror.url).host,
      );
      expect(atCdn.length).toBeGreaterThan(0);
      for (const r of atCdn)
        expect([r.headers.authorization, r.headers.cookie, r.headers['proxy-authorization']]).toEqual([
          undefined,
          undefined,
          undefined,
        ]);
    } finally {
      await cdn.close();
    }
  });

  it('a netrc host:port entry is sent to that origin only, not to the index host on another port', async () => {
    await publish(mirror, key, '1.22.7');
    const index = await startMirror(); // the trusted index lives elsewhere, without auth
    try {
      await publish(index, key, '1.22.7');
      const env = await makeEnv(index, [key]);
      homes.push(env.home);
      const file = await netrc(`machine 127.0.0.1:${new URL(gw.url).port} login alice password ${PASSWORD}\n`);
      const res = await env.run(['install', '1.22.7'], {
        NETRC: file,
        GOARM_MIRROR: `${gw.url}/files/`,
        GOARM_DEBUG: '1',
      });
      record('netrc host:port', res);
      expect(res.code, res.stderr).toBe(0);
      expect(index.requests.length).toBeGreaterThan(0);
      expect(authed(index.requests)).toBe(0);
      expect(
        gw.requests.filter((r) => r.path.includes('1.22.7')).map((r) => r.headers.authorization !== undefined),
      ).toEqual([true, true]);
    } finally {
      await index.close();
    }
  });
});

describe('GOARM_MIRROR_TOKEN is host-scoped; plain http gets no credentials', () => {
  it('unscoped, it is sent nowhere and the warning says how to scope it', async () => {
    const env = await privateEnv();
    const before = gw.requests.length;
    const res = await env.run(['install', '1.23.3'], { GOARM_MIRROR_TOKEN: TOKEN });
    await expectRefused(env, res, { exit: 5, code: 'E_HTTP_AUTH', word: 'needs credentials' });
    expect(res.stderr).toContain(`GOARM_MIRROR_TOKEN is not sent to ${gwHost()}`);
    expect(res.stderr).toContain(`GOARM_MIRROR_TOKEN_HOST=${gwHost()}`);
    expect(authed(gw.requests.slice(before))).toBe(0);
  });

  it('scoped to the mirror, it never reaches a one-off --from on another origin', async () => {
    const other = await startMirror();
    try {
      const env = await privateEnv();
      const res = await env.run(['install', '--from', `${other.url}/files/`, '1.23.3'], {
        GOARM_MIRROR_TOKEN: TOKEN,
        GOARM_MIRROR_TOKEN_HOST: gwHost(),
      });
      expect(res.code).not.toBe(0);
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('credentials for a plain-http mirror that is not this machine are withheld, with a warning', async () => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!lan) {
      if (process.env.CI === 'true') throw new Error('no non-loopback IPv4 address to test plain http against');
      return;
    }
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
    });
    await new Promise<void>((ok) => server.listen(0, lan, ok));
    try {
      const base = `http://${lan}:${(server.address() as AddressInfo).port}`;
      const env = await privateEnv(gw, `http://alice:${encodeURIComponent(PASSWORD)}@${base.slice(7)}`);
      homes.splice(homes.indexOf(env.home), 1); // its config.toml holds the URL the user wrote
      const file = await netrc(`machine ${lan} login alice password ${PASSWORD}\n`);
      const res = await env.run(['install', '1.23.3'], { NETRC: file });
      await expectRefused(env, res, { exit: 5, code: 'E_HTTP_AUTH', word: 'were not sent over plain http' });
      expect(res.stderr).toMatch(/^warning: not sending the credentials from the URL to http:\/\/.*plain http/m);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter(Boolean)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it('config list / get / set never print a mirror password, even one holding "/", ":" and "@"', async () => {
    const env = await privateEnv();
    const h = () => randomBytes(4).toString('hex');
    const secret = `a${h()}/b${h()}:c${h()}@d${h()}`;
    const url = `https://alice:${encodeURIComponent(secret)}@mirror.example.com/go/`;
    const raw = `https://alice:${secret}@mirror.example.com/go/`; // not a valid URL: the error must not echo it
    const outs = [
      await env.run(['config', 'list'], { GOARM_MIRROR: url }),
      await env.run(['config', 'list', '--json'], { GOARM_MIRROR: url }),
      await env.run(['config', 'get', 'mirror'], { GOARM_MIRROR: url }),
      await env.run(['config', 'set', 'mirror', url]),
      await env.run(['config', 'list'], { GOARM_MIRROR: raw }),
      await env.run(['config', 'set', 'mirror', raw]),
    ];
    expect(outs.map((r) => r.code)).toEqual([0, 0, 0, 0, 3, 2]);
    expect(outs[2].stdout).toBe('https://***@mirror.example.com/go/\n');
    expect(outs[5].stderr).toMatch(/^error: "https:\/\/\*\*\*@mirror.example.com\/go\/" is not an http/m);
    for (const r of outs) for (const part of secret.split(/[/:@]/)) expect(r.stdout + r.stderr).not.toContain(part);
  });
});

it('no secret appears in any output above or in any file under the GOARM_HOMEs used', async () => {
  expect(Object.keys(outputs).length).toBeGreaterThan(8);
  expect(await leaks(USERPASS, { probe: `Authorization: Basic ${Buffer.from(USERPASS).toString('base64')}` })).toEqual([
    'probe',
  ]); // the detector works
  for (const secret of [USERPASS, TOKEN]) expect(await leaks(secret, outputs, homes)).toEqual([]);
});
