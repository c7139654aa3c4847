// `goarm verify`: install records a manifest of every file (outside the Go root); verify re-walks the root and
// reports one changed byte, added, missing and re-moded files, and a binary for the wrong architecture.
import { createHash } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { fakeBinary, HOST } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { installFake } from './doctor-fixture.js';
import { type Env, exists, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
let env: Env;
let root: string;
const otherArch = HOST.arch === 'arm64' ? 'amd64' : 'arm64';

beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
  await publish(mirror, key, '1.23.4');
  await publish(mirror, key, '1.22.5');
  env = await makeEnv(mirror, [key]);
  const r = await env.run(['install', '1.23.4', '1.22.5']);
  if (r.code !== 0) throw new Error(r.stderr);
  root = join(env.home, 'versions', '1.23.4');
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

const verify = async (...args: string[]) => {
  const r = await env.run(['verify', ...args, '--json']);
  return { code: r.code, stderr: r.stderr, reports: r.stdout ? JSON.parse(r.stdout) : [] };
};

describe('install manifests', () => {
  it('install records every file with its SHA-256, size and mode, outside the Go root', async () => {
    const m = JSON.parse(await readFile(join(env.home, 'manifests', '1.23.4.json'), 'utf8'));
    expect(m).toMatchObject({ schema: 1, name: '1.23.4', version: '1.23.4', os: HOST.os, arch: HOST.arch });
    const go = await readFile(join(root, 'bin', 'go'));
    expect(m.files['bin/go']).toEqual({
      sha256: createHash('sha256').update(go).digest('hex'),
      size: go.length,
      mode: 0o755,
    });
    expect(Object.keys(m.files)).toContain('src/fmt/print.go');
    expect(Object.keys(m.files).some((f) => f.startsWith('manifest'))).toBe(false);
  });

  it('an untouched install verifies; plain text output says so', async () => {
    const r = await env.run(['verify', '1.23.4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('go1.23.4: ok, every file matches the install manifest');
  });
});

describe('differences', () => {
  it('one changed byte is found (and the same size does not hide it)', async () => {
    const file = join(root, 'src', 'fmt', 'print.go');
    const before = await readFile(file);
    const changed = Buffer.from(before);
    changed[10] ^= 0x01;
    await writeFile(file, changed);
    try {
      const r = await env.run(['verify', '1.23.4']);
      expect(r.code).toBe(6);
      expect(r.stdout).toContain('go1.23.4: 1 changed');
      expect(r.stdout).toContain('  changed    src/fmt/print.go (content)');
      expect(r.stderr).toMatch(/^error: go1\.23\.4 differ from what was installed \[E_TREE_MODIFIED\]$/m);
      expect(r.stderr).toContain('hint: reinstall: goarm uninstall 1.23.4 && goarm install 1.23.4');
      const j = await verify('1.23.4');
      expect(j.reports).toEqual([
        expect.objectContaining({
          name: '1.23.4',
          manifest: true,
          ok: false,
          changed: [{ path: 'src/fmt/print.go', what: 'content' }],
          added: [],
          missing: [],
          wrongArch: [],
        }),
      ]);
    } finally {
      await writeFile(file, before);
    }
    expect((await verify('1.23.4')).code).toBe(0);
  });

  it('added, missing and re-moded files', async () => {
    await writeFile(join(root, 'src', 'fmt', 'evil.go'), 'package fmt\n');
    const license = join(root, 'LICENSE');
    const text = await readFile(license);
    await rm(license);
    await chmod(join(root, 'VERSION'), 0o755);
    try {
      const j = await verify('1.23.4');
      expect(j.code).toBe(6);
      expect(j.reports[0]).toMatchObject({
        added: ['src/fmt/evil.go'],
        missing: ['LICENSE'],
        changed: [{ path: 'VERSION', what: 'mode' }],
      });
    } finally {
      await rm(join(root, 'src', 'fmt', 'evil.go'));
      await writeFile(license, text, { mode: 0o644 });
      await chmod(license, 0o644);
      await chmod(join(root, 'VERSION'), 0o644);
    }
    expect((await verify('1.23.4')).code).toBe(0);
  });

  it('a binary for another architecture is reported as such', async () => {
    const gofmt = join(root, 'bin', 'gofmt');
    const before = await readFile(gofmt);
    await writeFile(gofmt, fakeBinary(HOST.os, otherArch, 'gofmt'));
    try {
      const j = await verify('1.23.4');
      expect(j.code).toBe(6);
      expect(j.reports[0].wrongArch).toEqual([{ path: 'bin/gofmt', found: `${HOST.os}/${otherArch}` }]);
      expect(j.reports[0].changed).toEqual([{ path: 'bin/gofmt', what: 'content' }]);
      const r = await env.run(['verify', '1.23.4']);
      expect(r.stdout).toContain(`  wrong arch bin/gofmt is ${HOST.os}/${otherArch}, not ${HOST.os}/${HOST.arch}`);
    } finally {
      await writeFile(gofmt, before);
    }
  });
});

describe('which versions', () => {
  it('--all checks every version; one without a manifest cannot be verified and fails', async () => {
    expect((await verify('--all')).reports.map((r: { name: string; ok: boolean }) => [r.name, r.ok])).toEqual([
      ['1.23.4', true],
      ['1.22.5', true],
    ]);
    await installFake(env.home, '1.21.0', { manifest: false });
    try {
      const j = await verify('--all');
      expect(j.code).toBe(6);
      expect(j.reports.find((r: { name: string }) => r.name === '1.21.0')).toMatchObject({
        manifest: false,
        ok: false,
      });
      expect(j.stderr).toContain('go1.21.0 cannot be verified');
    } finally {
      await rm(join(env.home, 'versions', '1.21.0'), { recursive: true });
    }
  });

  it('without a name: the version that applies here', async () => {
    // (the first install already made itself the default: set it the way a user would)
    expect((await env.run(['default', '1.22'])).code).toBe(0);
    const j = await verify();
    expect(j.code, j.stderr).toBe(0);
    expect(j.reports.map((r: { name: string }) => r.name)).toEqual(['1.22.5']);
  });

  it('an unknown version is E_NOT_INSTALLED; uninstall removes the manifest', async () => {
    const r = await env.run(['verify', '1.20.1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/go1\.20\.1 is not installed \[E_NOT_INSTALLED\]/);
    expect((await env.run(['uninstall', '1.22.5'])).code).toBe(0);
    expect(await exists(join(env.home, 'manifests', '1.22.5.json'))).toBe(false);
    expect(await exists(join(env.home, 'manifests', '1.23.4.json'))).toBe(true);
  });
});
