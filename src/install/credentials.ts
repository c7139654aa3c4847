import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { err, redact } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import { goarmHome, type Home } from '../core/home.js';
import { isPublicHost } from './mirrors.js';

export interface Credential {
  header: string;
  source: string;
}

const SERVICE = 'goarm';

/** "user:password" → Basic; a token → Bearer. */
export function authHeader(secret: string): string {
  return secret.indexOf(':') > 0 ? 'Basic ' + Buffer.from(secret, 'utf8').toString('base64') : `Bearer ${secret}`;
}

/** The origin a login is stored under: scheme, host and port of an http(s) URL ("host" alone means https). */
export function originOf(input: string): string {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    throw err(
      'E_USAGE',
      `${JSON.stringify(redact(input))} is not a URL`,
      "give the mirror's URL, e.g. https://artifactory.example.com",
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw err('E_USAGE', `${u.protocol} URLs take no credentials`, "give the mirror's http(s) URL");
  if (u.username || u.password)
    throw err('E_USAGE', 'the URL must not contain credentials', 'give the URL alone; goarm login asks for the secret');
  if (isPublicHost(u.hostname))
    throw err(
      'E_USAGE',
      `${u.hostname} is a public host; goarm never sends it credentials`,
      'log in to your private mirror instead',
    );
  return u.origin;
}

// ----------------------------------------------------------------------------------------------- keychain

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** keytar, or why it cannot be used. GOARM_KEYCHAIN=off turns the keychain off (netrc and the env token still work). */
async function keychain(env: NodeJS.ProcessEnv): Promise<Keytar | string> {
  if (env.GOARM_KEYCHAIN === 'off') return 'the keychain is turned off (GOARM_KEYCHAIN=off)';
  try {
    const name = 'keytar'; // a variable, so TypeScript does not need the optional module to compile
    const m = (await import(name)) as { default?: Keytar } & Keytar;
    return m.default ?? m;
  } catch (e) {
    // The published package does not carry keytar (a native module with an install script): the user adds it
    // beside GOARM_HOME with `npm install --prefix $GOARM_HOME/keychain keytar`.
    try {
      return createRequire(join(goarmHome(env).keychain, 'package.json'))('keytar') as Keytar;
    } catch {
      return `the optional keytar module is not available (${(e as Error).message.split('\n')[0]})`;
    }
  }
}

// logins.json lists the origins that have a keychain entry (never a secret), so lookups know when to ask.
const loginsFile = (home: Home) => home.logins;

async function recorded(home: Home): Promise<string[]> {
  try {
    const v = JSON.parse(await readFile(loginsFile(home), 'utf8')) as { origins?: unknown };
    return Array.isArray(v.origins) ? v.origins.filter((o): o is string => typeof o === 'string') : [];
  } catch {
    return [];
  }
}

async function record(home: Home, origin: string, present: boolean): Promise<boolean> {
  const before = await recorded(home);
  const after = present ? [...new Set([...before, origin])].sort() : before.filter((o) => o !== origin);
  if (after.length === before.length && present === before.includes(origin)) return before.includes(origin);
  const file = loginsFile(home);
  await atomicWrite(file, JSON.stringify({ origins: after }, null, 2) + '\n');
  return before.includes(origin);
}

const keychainHint = (origin: string) =>
  `put the credentials in ~/.netrc instead (machine ${new URL(origin).hostname} login USER password SECRET), ` +
  'or set GOARM_MIRROR_TOKEN';

/** Fails with E_NO_KEYCHAIN unless keytar loads (checked before asking anyone to type a secret). */
export async function requireKeychain(origin: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const kt = await keychain(env);
  if (typeof kt === 'string') {
    const enable =
      env.GOARM_KEYCHAIN === 'off' ? '' : `; or enable it: npm install --prefix ${goarmHome(env).keychain} keytar`;
    throw err('E_NO_KEYCHAIN', `no OS keychain is available: ${kt}`, keychainHint(origin) + enable);
  }
}

/** Stores `secret` for `origin` in the OS keychain. */
export async function login(
  home: Home,
  origin: string,
  secret: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await requireKeychain(origin, env);
  const kt = (await keychain(env)) as Keytar;
  try {
    await kt.setPassword(SERVICE, origin, secret);
  } catch (e) {
    throw err(
      'E_KEYCHAIN',
      `cannot store the credentials in the OS keychain: ${(e as Error).message}`,
      keychainHint(origin),
    );
  }
  await record(home, origin, true);
}

/** Removes the keychain entry for `origin`; false when there was none. */
export async function logout(home: Home, origin: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const kt = await keychain(env);
  let removed = false;
  if (typeof kt !== 'string') {
    try {
      removed = await kt.deletePassword(SERVICE, origin);
    } catch (e) {
      throw err(
        'E_KEYCHAIN',
        `cannot remove the credentials from the OS keychain: ${(e as Error).message}`,
        'unlock the keychain and try again',
      );
    }
  } else if ((await recorded(home)).includes(origin)) {
    throw err(
      'E_NO_KEYCHAIN',
      `cannot remove the keychain entry for ${origin}: ${kt}`,
      'run goarm logout where the keychain is available',
    );
  }
  return (await record(home, origin, false)) || removed;
}

export const loggedIn = recorded;

// -------------------------------------------------------------------------------------------------- netrc

export interface NetrcEntry {
  machine: string;
  login: string;
  password: string;
}

/** The `machine` entries of a netrc file (`default` is ignored, as Go does: it would match every host). */
export function parseNetrc(text: string): NetrcEntry[] {
  const out: NetrcEntry[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let cur: NetrcEntry | undefined;
  let inDefault = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const tok = m[2] ?? m[1].replace(/\\(.)/g, '$1');
    const next = () => {
      const n = re.exec(text);
      return n ? (n[2] ?? n[1].replace(/\\(.)/g, '$1')) : '';
    };
    if (m[2] === 'macdef') {
      // a macro runs until the next blank line
      const end = text.indexOf('\n\n', re.lastIndex);
      re.lastIndex = end < 0 ? text.length : end + 2;
    } else if (m[2] === 'machine') {
      cur = { machine: next(), login: '', password: '' };
      inDefault = false;
      out.push(cur);
    } else if (m[2] === 'default') {
      cur = undefined;
      inDefault = true;
    } else if (m[2] === 'login' || m[2] === 'password' || m[2] === 'account') {
      const v = next();
      if (cur && !inDefault && tok !== 'account') cur[tok as 'login' | 'password'] = v;
    }
  }
  return out.filter((e) => e.machine && e.password);
}

async function fromNetrc(url: URL, env: NodeJS.ProcessEnv): Promise<Credential | undefined> {
  const file = env.NETRC || join(env.HOME || homedir(), '.netrc');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  // A machine names a host (any port, as curl reads it) or host:port.
  const e = parseNetrc(text).find(
    (x) => x.machine.toLowerCase() === url.hostname.toLowerCase() || x.machine.toLowerCase() === url.host.toLowerCase(),
  );
  return e
    ? { header: 'Basic ' + Buffer.from(`${e.login}:${e.password}`, 'utf8').toString('base64'), source: file }
    : undefined;
}

// ------------------------------------------------------------------------------------------------- lookup

const memo = new Map<string, Promise<Credential | undefined>>();
const warned = new Set<string>();
const warnOnce = (msg: string) => {
  if (!warned.has(msg)) {
    warned.add(msg);
    process.stderr.write(redact(msg) + '\n');
  }
};

/** The credential for a request to `url`, if any; looked up once per origin per process. */
export function credentialFor(url: URL, env: NodeJS.ProcessEnv = process.env): Promise<Credential | undefined> {
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || isPublicHost(url.hostname))
    return Promise.resolve(undefined);
  let p = memo.get(url.origin);
  if (!p) memo.set(url.origin, (p = lookup(url, env)));
  return p;
}

async function lookup(url: URL, env: NodeJS.ProcessEnv): Promise<Credential | undefined> {
  if ((await recorded(goarmHome(env))).includes(url.origin)) {
    const kt = await keychain(env);
    const fallback = 'trying ~/.netrc and GOARM_MIRROR_TOKEN';
    if (typeof kt === 'string')
      warnOnce(
        `warning: \`goarm login\` stored credentials for ${url.origin} in the OS keychain, but ${kt}; ${fallback}`,
      );
    else {
      try {
        const secret = await kt.getPassword(SERVICE, url.origin);
        if (secret) return { header: authHeader(secret), source: 'the OS keychain' };
        warnOnce(`warning: the OS keychain has no entry for ${url.origin} any more; ${fallback}`);
      } catch (e) {
        warnOnce(`warning: cannot read the OS keychain (${(e as Error).message}); ${fallback}`);
      }
    }
  }
  const netrc = await fromNetrc(url, env);
  if (netrc) return netrc;
  return fromEnvToken(url, env);
}

/**
 * GOARM_MIRROR_TOKEN goes only to the hosts GOARM_MIRROR_TOKEN_HOST names (comma-separated, host or host:port), so a
 * one-off `--from` URL or a redirect target never sees it. Unscoped, it is sent nowhere, with a warning saying why.
 */
function fromEnvToken(url: URL, env: NodeJS.ProcessEnv): Credential | undefined {
  if (!env.GOARM_MIRROR_TOKEN) return undefined;
  const hosts = (env.GOARM_MIRROR_TOKEN_HOST ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (hosts.includes(url.hostname.toLowerCase()) || hosts.includes(url.host.toLowerCase()))
    return { header: authHeader(env.GOARM_MIRROR_TOKEN), source: 'GOARM_MIRROR_TOKEN' };
  if (!hosts.length)
    warnOnce(
      `warning: GOARM_MIRROR_TOKEN is not sent to ${url.host}: it is sent only to the hosts named by ` +
        `GOARM_MIRROR_TOKEN_HOST (e.g. GOARM_MIRROR_TOKEN_HOST=${url.host})`,
    );
  return undefined;
}
