// `goarm login` / `logout` with the real OS keychain: keytar → libsecret → gnome-keyring's Secret Service, on a
// private D-Bus session (dbus-run-session) with a throw-away HOME, so the developer's keyring is never touched.
// When that stack cannot run here, the test is skipped and says why (it is not silently green).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, GOARM_BIN, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { makeKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { publish } from './install-fixture.js';
import { authGateway, gate, leaks, type Running } from './mirror-fixture.js';

const run = promisify(execFile);
const UNLOCK = 'echo unlock-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1';

/** A clean environment for the session: no GO, GOARM_ or proxy variables, no inherited bus, a private HOME. */
function sessionEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(GO|GOARM_|DBUS_|XDG_RUNTIME)|_proxy$|^NETRC$/i.test(k)) env[k] = v;
  return { ...env, HOME: home, NO_COLOR: '1', ...extra };
}

/** Why the keychain stack cannot run here, or undefined when keytar can store and read a secret. */
async function unavailable(): Promise<string | undefined> {
  const home = await tempHome('goarm-keyring-probe-');
  const js =
    'const k=(await import("keytar")).default;await k.setPassword("goarm-probe","p","ok");' +
    'const v=await k.getPassword("goarm-probe","p");await k.deletePassword("goarm-probe","p");' +
    'process.stdout.write(String(v))';
  try {
    const { stdout } = await run(
      'dbus-run-session',
      ['--', 'sh', '-c', `${UNLOCK}; exec node --input-type=module -e '${js}'`],
      { cwd: REPO_ROOT, env: sessionEnv(home, {}), timeout: 30_000 },
    );
    return stdout === 'ok' ? undefined : `keytar read back ${JSON.stringify(stdout)} instead of the secret it stored`;
  } catch (e) {
    const x = e as { code?: string; stderr?: string; message: string };
    if (x.code === 'ENOENT') return 'dbus-run-session is not installed (Debian: dbus, gnome-keyring)';
    return `keytar + gnome-keyring on a private D-Bus session failed: ${(x.stderr || x.message)
      .trim()
      .split('\n')
      .filter((l) => !/fd limit/.test(l))
      .slice(-2)
      .join(' / ')}`;
  }
}

const reason = await unavailable();
if (reason) console.warn(`SKIPPED credentials-keychain.test.ts: ${reason}`);

describe.skipIf(reason !== undefined)('goarm login with the OS keychain (gnome-keyring over D-Bus)', () => {
  const PASSWORD = `kc-${randomBytes(9).toString('hex')}`;
  let mirror: Mirror;
  let gw: Running;

  beforeAll(async () => {
    mirror = await startMirror();
    gw = await authGateway(mirror, gate(`alice:${PASSWORD}`));
  });
  afterAll(async () => {
    await gw?.close();
    await mirror?.close();
    await cleanupTempHomes();
  });

  it('login stores the secret, install uses it (netrc when the keychain is off), logout removes it', async () => {
    const key = await makeKey();
    await Promise.all(['1.21.9', '1.21.8', '1.21.7'].map((v) => publish(mirror, key, v)));
    const parent = await tempHome('goarm-keychain-');
    const [home, user, out] = ['home', 'user', 'out'].map((d) => join(parent, d));
    await mkdir(user); // gnome-keyring keeps its keyrings under $HOME/.local/share/keyrings
    await writeTrustConfig(home, {
      indexUrl: `${gw.url}/dl/?mode=json&include=all`,
      downloadBase: `${gw.url}/files/`,
      keyFiles: [await writeKeyFile(join(parent, 'keys'), key)],
    });
    const netrc = join(parent, 'netrc');
    await writeFile(netrc, `machine 127.0.0.1 login alice password ${PASSWORD}\n`);
    // One session runs the whole story; each step's stdout, stderr and exit code land in out/<step>.*
    const script = [
      'set -u',
      `mkdir -p "${out}"`,
      UNLOCK,
      'step() { name=$1; shift; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }',
      'step login sh -c \'printf "%s\\n" "$PASSWORD" | node "$GOARM" login "$URL" --username alice\'',
      'step logins cat "$GOARM_HOME/logins.json"',
      'step install node "$GOARM" install 1.21.9',
      'step netrc env GOARM_KEYCHAIN=off NETRC="$NETRC_FILE" node "$GOARM" install 1.21.7',
      'step logout node "$GOARM" logout "$URL"',
      'step after node "$GOARM" install 1.21.8',
      'step again node "$GOARM" logout "$URL"',
    ].join('\n');
    await run('dbus-run-session', ['--', 'sh', '-c', script], {
      cwd: home,
      timeout: 120_000,
      env: sessionEnv(user, {
        GOARM_HOME: home,
        GOARM_VULNDB: 'off',
        GOARM_INDEX_TTL: '0', // each install asks for the index, so each step shows whether it sent the login
        GOARM_DEBUG: '1',
        GOARM_RETRY_DELAY_MS: '10',
        NETRC: join(parent, 'no-netrc'),
        NETRC_FILE: netrc,
        OUT: out,
        GOARM: GOARM_BIN,
        URL: gw.url,
        PASSWORD,
      }),
    });
    const step = async (name: string) => ({
      code: Number(await readFile(join(out, `${name}.rc`), 'utf8')),
      stdout: await readFile(join(out, `${name}.out`), 'utf8'),
      stderr: await readFile(join(out, `${name}.err`), 'utf8'),
    });
    const outputs: Record<string, string> = {};
    const s: Record<string, Awaited<ReturnType<typeof step>>> = {};
    for (const name of ['login', 'logins', 'install', 'netrc', 'logout', 'after', 'again']) {
      s[name] = await step(name);
      outputs[name] = s[name].stdout + s[name].stderr;
    }
    const why = JSON.stringify(s, null, 1);

    expect(s.login.code, why).toBe(0);
    expect(s.login.stdout).toBe(
      `stored credentials for ${gw.url} in the OS keychain; goarm sends them only to ${gw.url}\n`,
    );
    expect(JSON.parse(s.logins.stdout)).toEqual({ origins: [gw.url] }); // which origins have a login; never a secret

    expect(s.install.code, why).toBe(0);
    expect(s.install.stderr).toContain('(credentials from the OS keychain)');
    expect(s.install.stdout).toContain('installed go1.21.9');

    // the keychain is unusable: say so once, and fall back to ~/.netrc
    expect(s.netrc.code, why).toBe(0);
    expect(s.netrc.stderr).toContain(
      `warning: \`goarm login\` stored credentials for ${gw.url} in the OS keychain, ` +
        'but the keychain is turned off (GOARM_KEYCHAIN=off); trying ~/.netrc and GOARM_MIRROR_TOKEN',
    );
    expect(s.netrc.stderr).toContain(`(credentials from ${netrc})`);

    expect([s.logout.code, s.logout.stdout]).toEqual([0, `removed the credentials for ${gw.url}\n`]);
    expect(s.after.code, why).toBe(5);
    expect(s.after.stderr).toMatch(/^error: access denied \(HTTP 401\).*\[E_HTTP_AUTH\]$/m);
    expect(s.after.stderr).toContain(`hint: run \`goarm login ${gw.url}\``);
    expect([s.again.code, s.again.stdout]).toEqual([0, `no credentials were stored for ${gw.url}\n`]);
    expect(JSON.parse(await readFile(join(home, 'logins.json'), 'utf8'))).toEqual({ origins: [] });

    expect(
      gw.requests.filter(
        (r) => r.headers.authorization === `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`,
      ).length,
    ).toBeGreaterThanOrEqual(6);
    expect(await leaks(`alice:${PASSWORD}`, outputs, [home])).toEqual([]);
  });
});
