// `goarm mirror sync` and installing from its directory: offline through file:// and plain paths, through a static
// web server, incrementally, and never trusting what the directory itself claims over the signature.
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { goArchiveName, HOST, makeGoTarball } from '../helpers/gotree.js';
import { makeKey, signDetached, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { exists, expectRefused, ls, makeEnv, publish } from './install-fixture.js';
import { serveDir } from './mirror-fixture.js';

let mirror: Mirror;
let key: TestKey;
const cross =
  HOST.os === 'darwin' && HOST.arch === 'arm64' ? { os: 'linux', arch: 'amd64' } : { os: 'darwin', arch: 'arm64' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Directories outside the env's parent, which expectRefused checks is left untouched. */
const elsewhere = async (name: string) => join(await tempHome('goarm-mirror-'), name);

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
});
afterEach(() => mirror.clearFaults());
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('goarm mirror sync', () => {
  it('syncs from a signed mirror, the server stops, and installs work offline from the directory', async () => {
    const origin = await startMirror();
    try {
      const env = await makeEnv(origin, [key]);
      const a = await publish(origin, key, '1.23.4', { more: [cross] });
      const b = await publish(origin, key, '1.22.9', { more: [cross] });
      const dir = await elsewhere('gomirror');
      const res = await env.run([
        'mirror',
        'sync',
        dir,
        '1.23',
        '1.22.9',
        '--platform',
        `${HOST.os}/${HOST.arch}`,
        '--platform',
        `${cross.os}/${cross.arch}`,
      ]);
      expect(res.code, res.stderr).toBe(0);
      const names = [
        a.filename,
        goArchiveName('1.23.4', cross.os, cross.arch),
        b.filename,
        goArchiveName('1.22.9', cross.os, cross.arch),
      ];
      for (const n of names) expect(res.stdout).toContain(`fetched    ${n}`);
      expect((await ls(dir)).sort()).toEqual(['index.json', ...names, ...names.map((n) => `${n}.asc`)].sort());
      // index.json is in the official shape, newest first, with the origin index's hashes verbatim
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      expect(index.map((r: { version: string }) => r.version)).toEqual(['go1.23.4', 'go1.22.9']);
      expect(index[0].files).toContainEqual({
        filename: a.filename,
        os: HOST.os,
        arch: HOST.arch,
        version: 'go1.23.4',
        sha256: sha(a.body),
        size: a.body.length,
        kind: 'archive',
      });
      expect((await readFile(join(dir, a.filename))).equals(a.body)).toBe(true);
      await origin.close();

      // --from with a file:// URL, from a fresh GOARM_HOME whose configured index is now unreachable
      const offline = await makeEnv(origin, [key]);
      const viaUrl = await offline.run(['install', '--from', pathToFileURL(dir).href, '1.23']);
      expect(viaUrl.code, viaUrl.stderr).toBe(0);
      expect(viaUrl.stdout).toContain('installed go1.23.4');
      expect(await exists(join(offline.home, 'versions', '1.23.4', 'bin', 'go'))).toBe(true);
      // --from with a plain path, another platform
      const viaPath = await offline.run(['install', '--from', dir, '1.22.9', '--os', cross.os, '--arch', cross.arch]);
      expect(viaPath.code, viaPath.stderr).toBe(0);
      expect(await exists(join(offline.home, 'versions', `1.22.9-${cross.os}-${cross.arch}`, 'bin', 'go'))).toBe(true);
      // the environment overrides take file:// URLs and plain paths too
      const viaEnv = await offline.run(['install', '1.22.9'], {
        GOARM_INDEX_URL: pathToFileURL(join(dir, 'index.json')).href,
        GOARM_DOWNLOAD_BASE: dir,
      });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      expect(await ls(join(offline.home, 'versions'))).toEqual(
        ['1.22.9', `1.22.9-${cross.os}-${cross.arch}`, '1.23.4'].sort(),
      );
      // the offline index is read as is: no cache entry points at the directory
      expect(await exists(join(offline.home, 'cache', 'index.json'))).toBe(false);
    } finally {
      await origin.close().catch(() => {});
    }
  });

  it(
    'is incremental: files already there are kept, a damaged one is fetched again, ' + 'new releases are added',
    async () => {
      const env = await makeEnv(mirror, [key]);
      const a = await publish(mirror, key, '1.21.0');
      const dir = await elsewhere('gomirror');
      const served = () => mirror.bytesServed(`/files/${a.filename}`);
      expect((await env.run(['mirror', 'sync', dir, '1.21.0'])).code).toBe(0);
      expect(served()).toBe(a.body.length);

      const again = await env.run(['mirror', 'sync', dir, '1.21.0']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`up to date ${a.filename}`);
      expect(served()).toBe(a.body.length);

      const damaged = Buffer.from(a.body);
      damaged[100] ^= 0xff;
      await writeFile(join(dir, a.filename), damaged);
      const repaired = await env.run(['mirror', 'sync', dir, '1.21.0']);
      expect(repaired.code, repaired.stderr).toBe(0);
      expect(repaired.stdout).toContain(`fetched    ${a.filename}`);
      expect((await readFile(join(dir, a.filename))).equals(a.body)).toBe(true);

      const b = await publish(mirror, key, '1.21.1');
      const more = await env.run(['mirror', 'sync', dir, '1.21.1', '--json']);
      expect(more.code, more.stderr).toBe(0);
      expect(JSON.parse(more.stdout).files).toEqual([{ filename: b.filename, status: 'fetched' }]);
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      expect(index.map((r: { version: string }) => r.version)).toEqual(['go1.21.1', 'go1.21.0']);
      expect((await ls(dir)).filter((n) => n.includes('partial') || n.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('refuses bytes that fail verification and publishes nothing for them', async () => {
    const env = await makeEnv(mirror, [key]);
    const { filename } = await publish(mirror, key, '1.21.2');
    mirror.fault(filename, { tamper: true });
    const dir = await elsewhere('gomirror');
    await expectRefused(env, await env.run(['mirror', 'sync', dir, '1.21.2']), {
      exit: 6,
      code: 'E_CHECKSUM',
      word: 'SHA-256 mismatch',
    });
    expect(await ls(dir)).toEqual([]);
  });

  it('a synced directory behind a plain static web server is a mirror: install --from http://…', async () => {
    const env = await makeEnv(mirror, [key]);
    await publish(mirror, key, '1.20.14');
    const dir = await elsewhere('gomirror');
    expect((await env.run(['mirror', 'sync', dir, '1.20.14'])).code).toBe(0);
    const web = await serveDir(dir);
    try {
      const other = await makeEnv(mirror, [key]);
      const before = mirror.requests.length;
      const res = await other.run(['install', '--from', web.url + '/', '1.20']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('installed go1.20.14');
      expect(web.requests.map((r) => r.path)).toEqual([
        '/index.json',
        `/${goArchiveName('1.20.14', HOST.os, HOST.arch)}.asc`,
        `/${goArchiveName('1.20.14', HOST.os, HOST.arch)}`,
      ]);
      expect(mirror.requests.length).toBe(before); // nothing came from the origin
    } finally {
      await web.close();
    }
  });

  it(
    'install --from refuses a directory whose tarball and index.json were both replaced: ' +
      'the signature still binds',
    async () => {
      const env = await makeEnv(mirror, [key]);
      const { filename } = await publish(mirror, key, '1.20.13');
      const dir = await elsewhere('gomirror');
      expect((await env.run(['mirror', 'sync', dir, '1.20.13'])).code).toBe(0);
      const evil = await makeGoTarball({ version: '1.20.13', extraFiles: { 'go/bin/evil.sh': 'echo pwned\n' } });
      await writeFile(join(dir, filename), evil);
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      Object.assign(
        index[0].files.find((f: { filename: string }) => f.filename === filename),
        { sha256: sha(evil), size: evil.length },
      );
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
      const other = await makeEnv(mirror, [key]);
      await expectRefused(other, await other.run(['install', '--from', dir, '1.20.13']), {
        exit: 6,
        code: 'E_SIGNATURE',
        word: 'bad OpenPGP signature',
        version: '1.20.13',
      });
      const skip = await other.run(['install', '--from', dir, '1.20.13', '--skip-signature']);
      await expectRefused(other, skip, {
        exit: 2,
        code: 'E_USAGE',
        word: "--skip-signature needs Google's own index; the hashes here come from --from",
      });
    },
  );
});

describe('goarm install --file (offline import)', () => {
  async function carry(version: string, body: Buffer) {
    const dir = await elsewhere('usb');
    await mkdir(dir, { recursive: true });
    const path = join(dir, goArchiveName(version, HOST.os, HOST.arch));
    await writeFile(path, body);
    await writeFile(`${path}.asc`, await signDetached(body, key));
    return path;
  }

  it('checks the signature and the cached index hash, then installs without touching the network', async () => {
    const env = await makeEnv(mirror, [key]);
    const { body } = await publish(mirror, key, '1.19.13');
    expect((await env.run(['ls-remote'])).code).toBe(0); // caches the index
    const path = await carry('1.19.13', body);
    const before = mirror.requests.length;
    const res = await env.run(['install', '--file', path]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('installed go1.19.13');
    expect(mirror.requests.length).toBe(before);
    expect(await exists(join(env.home, 'versions', '1.19.13', 'bin', 'go'))).toBe(true);
  });

  it(
    'needs an index (E_NO_INDEX, or --index), a signature (E_NO_SIGNATURE) ' + 'and the exact bytes (E_CHECKSUM)',
    async () => {
      const { body } = await publish(mirror, key, '1.19.12');
      const env = await makeEnv(mirror, [key]);
      const path = await carry('1.19.12', body);
      await expectRefused(env, await env.run(['install', '--file', path]), {
        exit: 4,
        code: 'E_NO_INDEX',
        word: 'no release index',
        version: '1.19.12',
      });

      const synced = await elsewhere('gomirror');
      expect((await env.run(['mirror', 'sync', synced, '1.19.12'])).code).toBe(0);
      const withIndex = await env.run(['install', '--file', path, '--index', join(synced, 'index.json')]);
      expect(withIndex.code, withIndex.stderr).toBe(0);

      const other = await makeEnv(mirror, [key]);
      expect((await other.run(['ls-remote'])).code).toBe(0);
      const unsigned = join(await elsewhere('bare'), goArchiveName('1.19.12', HOST.os, HOST.arch));
      await mkdir(join(unsigned, '..'), { recursive: true });
      await writeFile(unsigned, body);
      await expectRefused(other, await other.run(['install', '--file', unsigned]), {
        exit: 6,
        code: 'E_NO_SIGNATURE',
        word: 'cannot be proven genuine',
        version: '1.19.12',
      });
      const tampered = Buffer.from(body);
      tampered[tampered.length >> 1] ^= 0xff;
      await writeFile(unsigned, tampered);
      await expectRefused(other, await other.run(['install', '--file', unsigned, '--asc', `${path}.asc`]), {
        exit: 6,
        code: 'E_CHECKSUM',
        word: 'SHA-256 mismatch',
        version: '1.19.12',
      });
      const renamed = join(unsigned, '..', 'go.tar.gz');
      await cp(path, renamed);
      await expectRefused(other, await other.run(['install', '--file', renamed, '--asc', `${path}.asc`]), {
        exit: 4,
        code: 'E_NOT_IN_INDEX',
        word: 'not a release archive listed',
        version: '1.19.12',
      });
      expect(
        (await readdir(join(other.home, 'downloads')).catch(() => [])).filter((n) => n.endsWith('.partial')),
      ).toEqual([]);
    },
  );
});
