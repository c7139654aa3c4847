// When no installed Go applies, the shim says why and how to fix it, exits non-zero and never falls back to
// some other go; with auto_install = true it installs the version (verified, from a local mirror) instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, tempHome } from '../helpers/cli.js';
import { fakeBin, HOWS, makeWorld, type World } from '../helpers/fakego.js';
import { goArchiveName, HOST, makeGoTarball } from '../helpers/gotree.js';
import { makeKey, signDetached, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

afterAll(cleanupTempHomes);

describe('no usable Go', () => {
  let w: World;
  let decoyDir: string;
  let decoyMarker: string;
  beforeAll(async () => {
    w = await makeWorld({ versions: ['1.22.5', '1.23.4'] }); // no global default
    // Another go on PATH, as a system Go would be: the shim must never fall back to it.
    const d = await tempHome('goarm-decoy-');
    decoyMarker = join(d, 'decoy-ran');
    decoyDir = await fakeBin(join(d, 'bin'), 'go', `touch '${decoyMarker}'; echo decoy go`);
  });
  const shim = (how: (typeof HOWS)[number], cwd: string) =>
    w.shim(how, ['version'], { cwd, env: { PATH: `${decoyDir}:${process.env.PATH}` } });

  it('no version configured anywhere: one clear error, exit 4, nothing runs', async () => {
    const cwd = await w.files('none', { 'main.go': 'package main\n' });
    for (const how of HOWS) {
      const r = await shim(how, cwd);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toBe(`error: no Go version is configured for ${cwd} [E_NO_VERSION]`);
      expect(lines.slice(1)).toEqual([expect.stringMatching(/^hint: .*goarm pin <version>/)]);
    }
    expect(existsSync(decoyMarker)).toBe(false);
    const cur = await w.goarm(['current'], { cwd });
    expect(cur.code).toBe(4);
    expect(cur.stderr).toContain('no Go version is configured');
  });

  it(
    'a pinned version that is not installed: "not installed; run: goarm install X", ' + 'exit 4, on every call',
    async () => {
      const cases: [string, Record<string, string>, string, string][] = [
        ['pin-goversion', { '.go-version': '1.21\n' }, '1.21', '.go-version:1'],
        ['pin-toml', { '.goarm.toml': '# pinned\ngo = "1.19.3"\n' }, '1.19.3', '.goarm.toml:2'],
        ['pin-gomod', { 'go.mod': 'module m\n\ngo 1.24.0\n' }, '1.24', 'go.mod:3'],
      ];
      for (const [dir, files, spec, where] of cases) {
        const cwd = await w.files(dir, files);
        for (const how of HOWS) {
          // the first call resolves, the later ones may use the cached verdict
          const r = await shim(how, cwd);
          expect(r.code, r.stderr).toBe(4);
          expect(r.stdout).toBe('');
          expect(r.stderr).toMatch(
            new RegExp(
              `^goarm: go${spec.replace(/\./g, '\\.')} \\(from ${join(cwd, where).replace(/\./g, '\\.')}\\) ` +
                `is not installed; run: goarm install ${spec.replace(/\./g, '\\.')}\n$`,
            ),
          );
        }
        const which = await w.goarm(['which', 'go'], { cwd });
        expect(which.code).toBe(4);
        expect(which.stderr).toContain(`run: goarm install ${spec}`);
      }
      expect(existsSync(decoyMarker)).toBe(false);
    },
  );

  it('GOARM_VERSION covers a directory that names no version, only in shells that set it', async () => {
    const cwd = await w.files('envonly', { 'main.go': 'package main\n' });
    for (const [how, v] of [
      ['dash', '1.22.5'],
      ['bash', undefined],
      ['zsh', '1.23.4'],
      ['direct', undefined],
      ['dash', '1.23.4'],
    ] as const) {
      const r = await w.shim(how, ['version'], { cwd, env: { GOARM_VERSION: v } });
      if (v) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^go=${v.replace(/\./g, '\\.')} args=version `));
      } else {
        expect(r.code).toBe(4);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain('no Go version is configured');
      }
    }
  });

  it('GOARM_VERSION naming a version that is not installed', async () => {
    const cwd = await w.files('envpin', { '.go-version': '1.22\n' });
    const r = await w.shim('dash', ['version'], { cwd, env: { GOARM_VERSION: '1.20.1' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/go1\.20\.1 .*GOARM_VERSION.*is not installed; run: goarm install 1\.20\.1/);
  });
});

describe('auto_install = true', () => {
  let mirror: Mirror;
  beforeAll(async () => {
    mirror = await startMirror();
  });
  afterAll(async () => {
    await mirror?.close();
  });

  it('the shim installs the pinned version (verified) and resolution then picks it', async () => {
    const key = await makeKey();
    for (const version of ['1.23.2', '1.23.4']) {
      // bin/go is a header-only ELF (install checks its platform) that cannot run; gofmt is a runnable script.
      const body = await makeGoTarball({
        version,
        extraFiles: { 'go/bin/gofmt': `#!/bin/sh\necho "gofmt=${version} args=$*"\n` },
      });
      mirror.addRelease({
        version,
        stable: true,
        files: [{ os: HOST.os, arch: HOST.arch, body, asc: await signDetached(body, key) }],
      });
    }
    const w = await makeWorld({ versions: ['1.22.5'] });
    const keyFile = await writeKeyFile(join(w.base, 'keys'), key);
    await writeTrustConfig(w.home, {
      indexUrl: mirror.indexUrl,
      downloadBase: mirror.downloadBase,
      keyFiles: [keyFile],
      extra: { auto_install: true, default: '1.22' },
    });
    const cwd = await w.files('proj', { '.go-version': '1.23\n' });

    const first = await w.shim('dash', ['-l', '.'], { cwd, tool: 'gofmt', env: { PATH: '/usr/bin:/bin' } });
    expect(first.stderr).toContain(`goarm: installing go1.23 for ${cwd} (auto_install = true)`);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('gofmt=1.23.4 args=-l .\n');
    const root = join(w.home, 'versions', '1.23.4');
    expect(existsSync(join(root, 'bin', 'go'))).toBe(true);
    expect(existsSync(join(root, 'VERSION'))).toBe(true);
    expect(existsSync(join(w.home, 'versions', '1.23.2'))).toBe(false);

    const which = await w.goarm(['which', 'go'], { cwd });
    expect(which.code, which.stderr).toBe(0);
    expect(which.stdout.trim()).toBe(join(root, 'bin', 'go'));
    const served = mirror.bytesServed(goArchiveName('1.23.4', HOST.os, HOST.arch));
    expect(served).toBeGreaterThan(0);

    // Installed once: later calls neither download nor announce anything.
    const again = await w.shim('bash', ['-d'], { cwd, tool: 'gofmt', env: { PATH: '/usr/bin:/bin' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('gofmt=1.23.4 args=-d\n');
    expect(again.stderr).toBe('');
    expect(mirror.bytesServed(goArchiveName('1.23.4', HOST.os, HOST.arch))).toBe(served);
  });

  it('a version the mirror does not have: the install error, non-zero, nothing runs', async () => {
    const w = await makeWorld({ versions: ['1.22.5'] });
    await writeTrustConfig(w.home, {
      indexUrl: mirror.indexUrl,
      downloadBase: mirror.downloadBase,
      keyFiles: [],
      extra: { auto_install: true },
    });
    const cwd = await w.files('proj', { '.go-version': '1.19\n' });
    const r = await w.shim('dash', ['version'], { cwd });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*1\.19.*\[E_[A-Z_]+\]$/m);
    expect(existsSync(join(w.home, 'versions', '1.19'))).toBe(false);
  });
});
