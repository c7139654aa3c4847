// Proves the shared test helpers do what the integration and e2e suites rely on.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { parse } from 'smol-toml';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, REPO_ROOT, runGoarm, runNode, tempHome } from '../helpers/cli.js';
import {
  goArchiveName,
  HOST,
  HOSTILE,
  type HostileKind,
  makeGoTarball,
  makeHostileTarball,
} from '../helpers/gotree.js';
import {
  expiredSubkeyScenario,
  makeKey,
  signDetached,
  type TestKey,
  writeKeyFile,
  writeTrustConfig,
} from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const data = new TextEncoder().encode('go1.23.4.linux-amd64.tar.gz contents');

async function verify(armoredSignature: string, armoredKey: string, bytes: Uint8Array, date?: Date) {
  const signature = await openpgp.readSignature({ armoredSignature });
  const verificationKeys = await openpgp.readKey({ armoredKey });
  const message = await openpgp.createMessage({ binary: bytes });
  const res = await openpgp.verify({ message, signature, verificationKeys, date, format: 'binary' });
  await res.signatures[0].verified;
  return res.signatures[0].keyID.toHex();
}
const createdAt = async (armoredSignature: string) =>
  (await openpgp.readSignature({ armoredSignature })).packets[0].created!;

let key: TestKey;
let mirror: Mirror;
let tarball: Buffer;
beforeAll(async () => {
  [key, mirror, tarball] = await Promise.all([makeKey(), startMirror(), makeGoTarball({ version: '1.23.4' })]);
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('keys', () => {
  it('signDetached makes an armored detached signature by the signing subkey that openpgp verifies', async () => {
    const asc = await signDetached(data, key);
    expect(asc).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(await verify(asc, key.armoredPublic, data)).toBe(key.privateKey.subkeys[0].getKeyID().toHex());
    await expect(verify(asc, key.armoredPublic, new TextEncoder().encode('tampered'))).rejects.toThrow(
      /signed digest did not match/i,
    );
    await expect(verify(asc, (await makeKey()).armoredPublic, data)).rejects.toThrow(/Could not find signing key/);
  });

  it('expiredSubkeyScenario: valid before expiry, refused after, and the subkey is expired today', async () => {
    const s = await expiredSubkeyScenario();
    const [early, late] = [await s.sigBeforeExpiry(data), await s.sigAfterExpiry(data)];
    const pub = await openpgp.readKey({ armoredKey: s.key.armoredPublic });
    expect(pub.getFingerprint().toUpperCase()).toBe(s.key.fingerprint);
    expect(await pub.subkeys[0].getExpirationTime()).toEqual(s.expiresAt);
    expect(await pub.getExpirationTime()).toBe(Infinity); // only the subkey expires, as with Google's key
    expect(s.expiresAt.getTime()).toBeLessThan(Date.now());
    await expect(pub.getSigningKey(pub.subkeys[0].getKeyID(), new Date())).rejects.toThrow(/expired/i);

    expect((await createdAt(early)).getTime()).toBeLessThan(s.expiresAt.getTime());
    expect((await createdAt(late)).getTime()).toBeGreaterThan(s.expiresAt.getTime());
    expect(await verify(early, s.key.armoredPublic, data, await createdAt(early))).toBe(
      pub.subkeys[0].getKeyID().toHex(),
    );
    await expect(verify(late, s.key.armoredPublic, data, await createdAt(late))).rejects.toThrow(/Subkey is expired/);
    await expect(verify(late, s.key.armoredPublic, data, new Date())).rejects.toThrow(/Subkey is expired/);
    // openpgp 6 judges the subkey at the signature's creation time whatever `date` says, so "now" still accepts it
    expect(await verify(early, s.key.armoredPublic, data, new Date())).toBe(pub.subkeys[0].getKeyID().toHex());
  });

  it('writeTrustConfig writes config.toml with absolute trusted key paths', async () => {
    const home = await tempHome();
    const keyFile = await writeKeyFile(join(home, 'keys'), key);
    const path = await writeTrustConfig(home, {
      indexUrl: mirror.indexUrl,
      downloadBase: mirror.downloadBase,
      keyFiles: [keyFile],
      extra: { default: '1.23.4' },
    });
    expect(path).toBe(join(home, 'config.toml'));
    const cfg = parse(await readFile(path, 'utf8'));
    expect(cfg).toEqual({
      index_url: mirror.indexUrl,
      download_base: mirror.downloadBase,
      trusted_keys: [keyFile],
      default: '1.23.4',
    });
    expect(
      (await openpgp.readKey({ armoredKey: await readFile(keyFile, 'utf8') })).getFingerprint().toUpperCase(),
    ).toBe(key.fingerprint);
  });
});

describe('mirror', () => {
  const file = goArchiveName('1.23.4', HOST.os, HOST.arch);
  beforeAll(async () => {
    const asc = await signDetached(tarball, key);
    mirror.addRelease({
      version: '1.22.10',
      stable: true,
      files: [{ os: HOST.os, arch: HOST.arch, body: tarball, sha256: '0'.repeat(64) }],
    });
    mirror.addRelease({
      version: '1.24rc1',
      stable: false,
      files: [{ os: HOST.os, arch: HOST.arch, body: tarball, asc: null }],
    });
    mirror.addRelease({
      version: '1.23.4',
      stable: true,
      files: [
        { os: HOST.os, arch: HOST.arch, body: tarball, asc },
        { os: 'darwin', arch: 'arm64', body: tarball },
      ],
    });
  });

  it('serves the index in the official shape, newest first, with ETag/304', async () => {
    const res = await request(mirror.indexUrl);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const index = (await res.body.json()) as { version: string; stable: boolean; files: Record<string, unknown>[] }[];
    expect(index.map((r) => [r.version, r.stable])).toEqual([
      ['go1.24rc1', false],
      ['go1.23.4', true],
      ['go1.22.10', true],
    ]);
    const r = index[1];
    expect(r.files[0]).toMatchObject({
      filename: 'go1.23.4.src.tar.gz',
      os: '',
      arch: '',
      version: 'go1.23.4',
      kind: 'source',
    });
    expect(r.files).toContainEqual({
      filename: file,
      os: HOST.os,
      arch: HOST.arch,
      version: 'go1.23.4',
      sha256: sha256(tarball),
      size: tarball.length,
      kind: 'archive',
    });
    expect(r.files.map((f) => f.filename)).toContain('go1.23.4.darwin-arm64.tar.gz');
    expect(index[2].files[1].sha256).toBe('0'.repeat(64));

    const etag = String(res.headers.etag);
    const again = await request(mirror.indexUrl, { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    await again.body.dump();
    const stableOnly = await request(mirror.indexUrl.replace('&include=all', ''));
    expect(((await stableOnly.body.json()) as { version: string }[]).map((x) => x.version)).toEqual([
      'go1.23.4',
      'go1.22.10',
    ]);
  });

  it('serves files and signatures; 404 for a missing .asc', async () => {
    const res = await request(mirror.downloadBase + file);
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(await res.body.arrayBuffer()).equals(tarball)).toBe(true);
    const asc = await request(mirror.downloadBase + file + '.asc');
    expect(await verify(await asc.body.text(), key.armoredPublic, tarball)).toBeTruthy();
    const none = await request(mirror.downloadBase + 'go1.24rc1.' + file.slice('go1.23.4.'.length) + '.asc');
    expect(none.statusCode).toBe(404);
    await none.body.dump();
  });

  it('answers Range with 206 and Content-Range, and 416 past the end', async () => {
    const res = await request(mirror.downloadBase + file, { headers: { range: 'bytes=100-' } });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 100-${tarball.length - 1}/${tarball.length}`);
    expect(Buffer.from(await res.body.arrayBuffer()).equals(tarball.subarray(100))).toBe(true);
    const mid = await request(mirror.downloadBase + file, { headers: { range: 'bytes=10-19' } });
    expect(Buffer.from(await mid.body.arrayBuffer()).equals(tarball.subarray(10, 20))).toBe(true);
    const past = await request(mirror.downloadBase + file, { headers: { range: `bytes=${tarball.length}-` } });
    expect([past.statusCode, past.headers['content-range']]).toEqual([416, `bytes */${tarball.length}`]);
    await past.body.dump();
    expect(mirror.requests.some((r) => r.range === 'bytes=10-19' && r.path === '/files/' + file)).toBe(true);
  });

  it('injects status faults a limited number of times', async () => {
    mirror.fault('/dl/', { status: 503, times: 1 });
    const first = await request(mirror.indexUrl);
    expect(first.statusCode).toBe(503);
    await first.body.dump();
    const second = await request(mirror.indexUrl);
    expect(second.statusCode).toBe(200);
    await second.body.dump();
  });

  it('cutAfterBytes really cuts the connection after N bytes', async () => {
    mirror.fault(file, { cutAfterBytes: 300, times: 1 });
    const before = mirror.bytesServed(file);
    const res = await request(mirror.downloadBase + file);
    expect(res.headers['content-length']).toBe(String(tarball.length));
    await expect(res.body.arrayBuffer()).rejects.toThrow();
    expect(mirror.bytesServed(file) - before).toBe(300);
    const ok = await request(mirror.downloadBase + file, { headers: { range: 'bytes=300-' } });
    expect(Buffer.from(await ok.body.arrayBuffer()).equals(tarball.subarray(300))).toBe(true);
  });

  it('replaces bodies and tampers with files while keeping the index hash', async () => {
    mirror.fault('/dl/', { body: '[{"version": "go1.23.4", ', times: 1 });
    const bad = await request(mirror.indexUrl);
    await expect(bad.body.json()).rejects.toThrow();
    mirror.fault(file, { tamper: true });
    const tampered = Buffer.from(await (await request(mirror.downloadBase + file)).body.arrayBuffer());
    mirror.clearFaults();
    expect(tampered.length).toBe(tarball.length);
    expect(sha256(tampered)).not.toBe(sha256(tarball));
    const index = (await (await request(mirror.indexUrl)).body.json()) as {
      files: { filename: string; sha256: string }[];
    }[];
    expect(index[1].files.find((f) => f.filename === file)?.sha256).toBe(sha256(tarball));
  });

  it('stops listening on close', async () => {
    const m = await startMirror();
    const port = Number(new URL(m.url).port);
    await (await request(m.indexUrl)).body.dump(); // leaves a keep-alive connection for close() to end
    await m.close();
    const refused = await new Promise<string>((ok) =>
      connect(port, '127.0.0.1')
        .on('connect', () => ok('connected'))
        .on('error', (e: NodeJS.ErrnoException) => ok(String(e.code))),
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});

describe('tarballs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempHome();
  });
  const extract = async (name: string, body: Buffer) => {
    const out = join(dir, name);
    await mkdir(out);
    await writeFile(out + '.tar.gz', body);
    execFileSync('tar', ['-xzf', out + '.tar.gz', '-C', out]);
    return join(out, 'go');
  };
  const header = async (p: string) => (await readFile(p)).subarray(0, 64);

  it('makeGoTarball extracts with GNU tar into the official layout', async () => {
    const go = await extract('host', tarball);
    expect(await readFile(join(go, 'VERSION'), 'utf8')).toMatch(/^go1\.23\.4\ntime \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    for (const bin of ['bin/go', 'bin/gofmt', `pkg/tool/${HOST.os}_${HOST.arch}/compile`])
      expect((await stat(join(go, bin))).mode & 0o777).toBe(0o755);
    const h = await header(join(go, 'bin/go'));
    expect(h.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(h[4]).toBe(2); // ELFCLASS64
    expect(h.readUInt16LE(18)).toBe(HOST.arch === 'arm64' ? 0xb7 : 0x3e);
    expect(await readFile(join(go, 'src/fmt/print.go'), 'utf8')).toMatch(/^package fmt/);
    expect(existsSync(join(go, 'pkg/include/textflag.h'))).toBe(true);
  });

  it('fakes other architectures, Mach-O for darwin, and overrides files', async () => {
    const wrong = await extract(
      'wrong',
      await makeGoTarball({ version: '1.23.4', os: 'linux', arch: 'amd64', binArch: 'arm64' }),
    );
    expect((await header(join(wrong, 'bin/go'))).readUInt16LE(18)).toBe(0xb7);
    const mac = await extract('mac', await makeGoTarball({ version: '1.24rc1', os: 'darwin', arch: 'arm64' }));
    const m = await header(join(mac, 'bin/gofmt'));
    expect([m.readUInt32LE(0), m.readUInt32LE(4)]).toEqual([0xfeedfacf, 0x0100000c]);
    expect(existsSync(join(mac, 'pkg/tool/darwin_arm64/link'))).toBe(true);
    expect((await readFile(join(mac, 'VERSION'), 'utf8')).split('\n')[0]).toBe('go1.24rc1');
    const intel = await header(
      join(await extract('intel', await makeGoTarball({ version: '1.23.4', os: 'darwin', arch: 'amd64' })), 'bin/go'),
    );
    expect(intel.readUInt32LE(4)).toBe(0x01000007);
    const custom = await extract(
      'custom',
      await makeGoTarball({ version: '1.23.4', extraFiles: { 'go/VERSION': 'go1.22.0\n', 'go/misc/x.txt': 'x' } }),
    );
    expect(await readFile(join(custom, 'VERSION'), 'utf8')).toBe('go1.22.0\n');
    expect(await readFile(join(custom, 'misc/x.txt'), 'utf8')).toBe('x');
    expect(Buffer.compare(await makeGoTarball({ version: '1.23.4' }), tarball)).toBe(0); // deterministic
  });

  const expected: Record<HostileKind, RegExp> = {
    dotdot: /^-rw-r--r-- .* go\/\.\.\/\.\.\/goarm-hostile-dotdot\.txt$/m,
    absolute: /^-rw-r--r-- .* \/tmp\/goarm-hostile-absolute\.txt$/m,
    'symlink-escape': /^lrwxrwxrwx .* go\/lib\/escape -> (\.\.\/){8}goarm-hostile-symlink-target$/m,
    'hardlink-escape': /^hrw-r--r-- .* go\/lib\/passwd link to (\.\.\/){8}etc\/passwd$/m,
  };
  for (const kind of Object.keys(expected) as HostileKind[]) {
    it(`makeHostileTarball('${kind}') holds go/bin/go and the hostile member`, async () => {
      const path = join(dir, `hostile-${kind}.tar.gz`);
      await writeFile(path, await makeHostileTarball(kind));
      const listing = execFileSync('tar', ['-tvzPf', path], { encoding: 'utf8' });
      expect(listing).toMatch(/^-rwxr-xr-x .* go\/bin\/go$/m);
      expect(listing).toMatch(/ go\/VERSION$/m);
      expect(listing).toMatch(expected[kind]);
      expect(listing.trim().split('\n')).toHaveLength(3);
      expect(listing).toContain(` ${HOSTILE[kind].path}`); // the exported description matches the archive
    });
  }
});

describe('cli', () => {
  it(
    'runNode passes GOARM_HOME, NO_COLOR, cwd and stdin, ' + 'scrubs GO* and proxies, and reports the exit code',
    async () => {
      const home = await tempHome();
      const script = join(home, 'probe.mjs');
      await writeFile(
        script,
        `let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => {
      const e = process.env;
      console.log(JSON.stringify({ home: e.GOARM_HOME, color: e.NO_COLOR, cwd: process.cwd(), input: s, ` +
          `v: e.GOARM_VERSION ?? null, p: e.HTTPS_PROXY ?? null, x: e.EXTRA, args: process.argv.slice(2) }));
      console.error('to stderr'); process.exit(3); });`,
      );
      const saved = { GOARM_VERSION: process.env.GOARM_VERSION, HTTPS_PROXY: process.env.HTTPS_PROXY };
      Object.assign(process.env, { GOARM_VERSION: '1.0', HTTPS_PROXY: 'http://127.0.0.1:9' });
      try {
        const r = await runNode(script, ['a b', '--c'], {
          home,
          cwd: REPO_ROOT,
          input: 'typed',
          env: { EXTRA: 'yes' },
        });
        expect(r.code).toBe(3);
        expect(r.stderr).toBe('to stderr\n');
        expect(JSON.parse(r.stdout)).toEqual({
          home,
          color: '1',
          cwd: REPO_ROOT,
          input: 'typed',
          v: null,
          p: null,
          x: 'yes',
          args: ['a b', '--c'],
        });
      } finally {
        for (const [k, v] of Object.entries(saved))
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
      }
    },
  );

  it('runNode kills a hung process at the timeout', async () => {
    const home = await tempHome();
    await writeFile(join(home, 'hang.mjs'), 'setInterval(() => {}, 1000);');
    await expect(runNode(join(home, 'hang.mjs'), [], { home, timeoutMs: 300 })).rejects.toThrow(
      /timed out after 300 ms/,
    );
  });

  it.skipIf(!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))('runGoarm runs the built CLI', async () => {
    const r = await runGoarm(['--help'], { home: await tempHome() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/goarm/);
  });

  it.skipIf(existsSync(join(REPO_ROOT, 'dist', 'cli.js')))(
    'runGoarm says to build first when dist/ is missing',
    async () => {
      await expect(runGoarm(['--help'], { home: await tempHome() })).rejects.toThrow(/npm run build/);
    },
  );
});
