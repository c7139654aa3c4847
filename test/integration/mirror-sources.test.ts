// Mirrors as file sources: the hash always comes from the trusted index and the signature from the mirror or the
// official host, so a mirror can only ever supply bytes Google signed. Also the presets and `goarm config`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { makeGoTarball } from '../helpers/gotree.js';
import { makeKey, signDetached, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { type Env, exists, expectRefused, makeEnv, publish } from './install-fixture.js';

// "official" plays go.dev + dl.google.com (the trusted index, genuine files and .asc); "flat" and "flat2" play
// USTC-style file mirrors, each with its own listing (index) of whatever it serves.
let official: Mirror;
let flat: Mirror;
let flat2: Mirror;
let key: TestKey;

beforeAll(async () => {
  [official, flat, flat2, key] = await Promise.all([startMirror(), startMirror(), startMirror(), makeKey()]);
});
afterEach(() => [official, flat, flat2].forEach((m) => m.clearFaults()));
afterAll(async () => {
  await Promise.all([official, flat, flat2].map((m) => m?.close()));
  await cleanupTempHomes();
});

const gets = (m: Mirror, suffix: string) =>
  m.requests.filter((r) => r.method === 'GET' && r.path.endsWith(suffix)).length;
const withMirrors = async (...mirrors: string[]): Promise<Env> =>
  makeEnv(official, [key], { GOARM_MIRROR: mirrors.join(',') });

/**
 * Publishes `version` on the official host and a copy on `m` (same bytes unless `body` is given),
 * signed unless asc: null.
 */
async function mirrored(m: Mirror, version: string, opts: { body?: Buffer; asc?: null } = {}) {
  const genuine = await publish(official, key, version);
  const body = opts.body ?? genuine.body;
  await publish(m, key, version, { body, asc: opts.asc === null ? null : await signDetached(body, key) });
  return genuine;
}

describe('mirrors supply bytes, the official index supplies hashes', () => {
  it('downloads from the mirror first; the official host serves only the index', async () => {
    const { filename } = await mirrored(flat, '1.23.1');
    const env = await withMirrors(flat.downloadBase);
    const res = await env.run(['install', '1.23.1']);
    expect(res.code, res.stderr).toBe(0);
    expect([
      gets(flat, filename),
      gets(flat, `${filename}.asc`),
      gets(official, filename),
      gets(official, `${filename}.asc`),
    ]).toEqual([1, 1, 0, 0]);
    expect(gets(flat, '/dl/?mode=json&include=all')).toBe(0);
  });

  it(
    'a mirror serving tampered bytes is refused even though its own listing matches them; ' +
      'the official copy is used',
    async () => {
      const evil = await makeGoTarball({ version: '1.23.2', extraFiles: { 'go/EVIL': 'tampered\n' } });
      const { filename } = await mirrored(flat, '1.23.2', { body: evil });
      // the mirror's own listing agrees with its bytes (and its .asc is even made by a trusted key)
      const listing = JSON.parse((await (await fetch(flat.indexUrl)).text()) as string) as {
        files: { filename: string; sha256: string }[];
      }[];
      expect(listing.flatMap((r) => r.files).find((f) => f.filename === filename)?.sha256).toBe(
        (await import('node:crypto')).createHash('sha256').update(evil).digest('hex'),
      );

      const env = await withMirrors(flat.downloadBase);
      const res = await env.run(['install', '1.23.2']);
      expect(res.code, res.stderr).toBe(0);
      // a bigger file is refused by its Content-Length before a byte is kept; same-size tampering fails the SHA-256
      expect(res.stderr).toMatch(
        new RegExp(
          String.raw`^warning: \S+go1\.23\.2\.\S+ announced \d+ bytes where \d+ were expected \[E_SIZE\]; ` +
            String.raw`trying http:\/\/127\.0\.0\.1:\d+\/files\/$`,
          'm',
        ),
      );
      expect(await exists(join(env.home, 'versions', '1.23.2', 'EVIL'))).toBe(false);
      expect(await exists(join(env.home, 'versions', '1.23.2', 'bin', 'go'))).toBe(true);
      expect(gets(official, filename)).toBe(1);

      // with the official host unable to help, the install fails with the tampering, not the fallback's 404
      const alone = await withMirrors(flat.downloadBase);
      official.fault(filename, { status: 404 });
      await expectRefused(alone, await alone.run(['install', '1.23.2']), {
        exit: 6,
        code: 'E_SIZE',
        word: 'announced \\d+ bytes where \\d+ were expected',
        version: '1.23.2',
      });
      official.clearFaults();

      // same size, one byte changed, and the mirror's listing updated to match: the SHA-256 from the index refuses it
      const same = Buffer.from((await publish(official, key, '1.23.7')).body);
      same[same.length >> 1] ^= 0xff;
      const f7 = (await publish(flat, key, '1.23.7', { body: same, asc: await signDetached(same, key) })).filename;
      official.fault(f7, { status: 404 });
      const third = await withMirrors(flat.downloadBase);
      await expectRefused(third, await third.run(['install', '1.23.7']), {
        exit: 6,
        code: 'E_CHECKSUM',
        word: 'SHA-256 mismatch',
        version: '1.23.7',
      });
    },
  );

  it('a mirror without the .asc: only the .asc is fetched from the official host', async () => {
    const { filename, body } = await mirrored(flat, '1.23.3', { asc: null });
    const env = await withMirrors(flat.downloadBase);
    const res = await env.run(['install', '1.23.3']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(
      /has no go1\.23\.3\.\S+\.asc; fetching the signature from http:\/\/127\.0\.0\.1:\d+\/files\/go1\.23\.3/,
    );
    expect([gets(flat, `${filename}.asc`), gets(official, `${filename}.asc`)]).toEqual([1, 1]);
    expect(flat.bytesServed(`/files/${filename}`)).toBe(body.length);
    expect(official.bytesServed(`/files/${filename}`)).toBe(0);

    // and when the official host has no .asc either, nothing is installed
    const env2 = await withMirrors(flat.downloadBase);
    const { filename: f2 } = await mirrored(flat, '1.23.5', { asc: null });
    official.fault(`${f2}.asc`, { status: 404 });
    await expectRefused(env2, await env2.run(['install', '1.23.5']), {
      exit: 6,
      code: 'E_NO_SIGNATURE',
      word: 'cannot be proven genuine',
      version: '1.23.5',
    });
  });

  it('fails over in order: a dead mirror, then one answering 500, then one that works', async () => {
    const dead = await startMirror();
    await dead.close();
    const { filename } = await mirrored(flat2, '1.23.6');
    await publish(flat, key, '1.23.6');
    flat.fault(filename, { status: 500 });
    const env = await withMirrors(dead.downloadBase, flat.downloadBase, flat2.downloadBase);
    const res = await env.run(['install', '1.23.6']);
    expect(res.code, res.stderr).toBe(0);
    const warnings = res.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      new RegExp(`cannot reach ${new URL(dead.url).host}.*\\[E_NETWORK\\]; trying ${flat.downloadBase}$`),
    );
    expect(warnings[1]).toMatch(
      new RegExp(
        `HTTP 500 from ${flat.downloadBase}${filename.replace(/\./g, '\\.')} \\[E_HTTP\\]; ` +
          `trying ${flat2.downloadBase}$`,
      ),
    );
    expect(gets(flat, filename)).toBe(2); // a mirror with a fallback after it gets 2 tries, not 5
    expect([gets(flat2, filename), gets(official, filename)]).toEqual([1, 0]);
  });

  it('an unknown preset name in GOARM_MIRROR is a config error that lists the presets', async () => {
    const env = await makeEnv(official, [key]);
    const bad = await env.run(['install', '1.23.1'], { GOARM_MIRROR: 'ustcc' });
    await expectRefused(env, bad, {
      exit: 3,
      code: 'E_CONFIG',
      word: 'unknown mirror preset "ustcc" \\(presets: official, china, ustc, aliyun, nju',
    });
  });
});

describe('goarm config', () => {
  const cfg = async (env: Env, ...args: string[]) => {
    const r = await env.run(['config', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  it('sets presets and URLs, shows what is in effect, and keeps the rest of config.toml', async () => {
    const env = await makeEnv(official, [key]);
    const before = await readFile(join(env.home, 'config.toml'), 'utf8');
    const json = async () => JSON.parse(await cfg(env, 'list', '--json'));

    // china: Google's own site for China supplies the index and the files
    await env.run(['config', 'unset', 'index_url']);
    await env.run(['config', 'unset', 'download_base']);
    expect(await cfg(env, 'set', 'mirror', 'china')).toBe(
      [
        'mirror = "china"',
        'hashes from:  https://golang.google.cn/dl/?mode=json&include=all',
        'files from:   https://golang.google.cn/dl/',
        '',
      ].join('\n'),
    );
    expect(await cfg(env, 'get', 'index_url')).toBe('https://golang.google.cn/dl/?mode=json&include=all\n');

    // a flat mirror is paired with the China index, and the official China host comes last
    await cfg(env, 'set', 'mirror', 'ustc', 'china');
    expect(await json()).toMatchObject({
      mirror: ['ustc', 'china'],
      index_url: 'https://golang.google.cn/dl/?mode=json&include=all',
      file_sources: ['https://mirrors.ustc.edu.cn/golang/', 'https://golang.google.cn/dl/'],
    });

    // a private URL keeps the official index
    await cfg(env, 'set', 'mirror', 'https://artifactory.example.com/go/');
    expect(await json()).toMatchObject({
      index_url: 'https://go.dev/dl/?mode=json&include=all',
      file_sources: ['https://artifactory.example.com/go/', 'https://dl.google.com/go/'],
    });

    // GOARM_MIRROR overrides config.toml
    const viaEnv = await env.run(['config', 'get', 'file_sources'], { GOARM_MIRROR: 'aliyun' });
    expect(viaEnv.stdout).toBe('https://mirrors.aliyun.com/golang/\nhttps://golang.google.cn/dl/\n');

    // typos are refused before anything is written
    const typo = await env.run(['config', 'set', 'mirror', 'aliyn']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error: unknown mirror preset "aliyn".*\[E_USAGE\]$/m);
    expect((await json()).mirror).toEqual(['https://artifactory.example.com/go/']);

    await cfg(env, 'unset', 'mirror');
    expect(await json()).toMatchObject({
      mirror: [],
      index_url: 'https://go.dev/dl/?mode=json&include=all',
      file_sources: ['https://dl.google.com/go/'],
    });
    const after = await readFile(join(env.home, 'config.toml'), 'utf8');
    expect(after).toBe(
      before
        .split('\n')
        .filter((l) => !l.startsWith('index_url') && !l.startsWith('download_base'))
        .join('\n'),
    );
  });

  it('a relative directory given to `config set mirror` is taken from the working directory', async () => {
    const env = await makeEnv(official, [key]);
    const r = await env.run(['config', 'set', 'mirror', './gomirror']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(env.home, 'config.toml'), 'utf8')).toContain(
      `mirror = ${JSON.stringify(join(env.home, 'gomirror'))}`,
    );
    expect(r.stdout).toContain(`files from:   file://${join(env.home, 'gomirror')}/, then ${official.downloadBase}`);
  });
});
