// End to end: `goarm cgo` with a real Go (Debian's golang-1.19-go, installed by goarm from a signed local mirror)
// on a module that uses cgo (in its own packages and through a dependency) and one that does not, with cgo on and
// off. Every verdict is checked against what `go build` really does. Also `goarm verify` on the real tree.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { type TestKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror } from '../helpers/mirror.js';
import { type RealGo, realGoMirror } from '../helpers/realgo.js';

let go: RealGo;
let mirror: Mirror;
let home: string;
let work: string;
let goEnv: Record<string, string>;

async function files(dir: string, tree: Record<string, string>): Promise<string> {
  for (const [rel, text] of Object.entries(tree)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

// example.com/app uses cgo three ways: internal/db has a !cgo fallback (builds either way), internal/half calls a C
// wrapper from a plain Go file (compiles only with cgo), example.com/cdep (a dependency, via replace) is cgo only.
const APP = {
  'go.mod':
    'module example.com/app\n\ngo 1.19\n\nrequire example.com/cdep v0.0.0\n\nreplace example.com/cdep => ../cdep\n',
  'main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n\t"os/user"\n\n' +
    '\t"example.com/app/internal/db"\n\t"example.com/app/internal/half"\n\t"example.com/cdep"\n)\n\n' +
    'func main() {\n\tu, _ := user.Current()\n' +
    '\tfmt.Println(cdep.Answer(), db.X(), half.Y(), http.MethodGet, u != nil)\n}\n',
  'internal/db/db.go':
    'package db\n\n// static int x(void) { return 1; }\nimport "C"\n\nfunc X() int { return int(C.x()) }\n',
  'internal/db/nocgo.go': '//go:build !cgo\n\npackage db\n\nfunc X() int { return 0 }\n',
  'internal/half/c.go':
    'package half\n\n// static int y(void) { return 2; }\nimport "C"\n\nfunc y() int { return int(C.y()) }\n',
  'internal/half/h.go': 'package half\n\nfunc Y() int { return y() + 1 }\n',
};
const CDEP = {
  'go.mod': 'module example.com/cdep\n\ngo 1.19\n',
  'cdep.go':
    'package cdep\n\n// int answer(void) { return 42; }\nimport "C"\n\nfunc Answer() int { return int(C.answer()) }\n',
};
const PLAIN = {
  'go.mod': 'module example.com/plain\n\ngo 1.19\n',
  'main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc main() { fmt.Println(strings.ToUpper("plain")) }\n',
};

const cgo = async (dir: string, cgoOn: boolean, extra: string[] = [], env: Record<string, string> = {}) => {
  await writeFile(join(dir, '.goarm.toml'), `go = "1.19"\n\n[cgo]\nenabled = ${cgoOn}\n`);
  return runGoarm(['cgo', ...extra], { home, cwd: dir, env: { ...goEnv, ...env } });
};
const report = async (dir: string, cgoOn: boolean, env: Record<string, string> = {}) => {
  const r = await cgo(dir, cgoOn, ['--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
/** What go itself says: does the module build under the same settings (through goarm exec, as the shims would)? */
const builds = async (dir: string, env: Record<string, string> = {}) =>
  (
    await runGoarm(['exec', '--', 'go', 'build', '-o', join(work, 'out.bin'), '.'], {
      home,
      cwd: dir,
      env: { ...goEnv, ...env },
    })
  ).code === 0;

beforeAll(async () => {
  let key: TestKey;
  ({ go, mirror, key } = await realGoMirror());
  home = await tempHome('goarm-cgo-e2e-home-');
  work = await tempHome('goarm-cgo-e2e-work-');
  await writeTrustConfig(home, {
    indexUrl: mirror.indexUrl,
    downloadBase: mirror.downloadBase,
    keyFiles: [await writeKeyFile(join(work, 'keys'), key)],
  });
  const r = await runGoarm(['install', '1.19'], { home });
  if (r.code !== 0) throw new Error(`install failed: ${r.stderr}`);
  // No network, no shared caches: everything Go writes stays in the throw-away tree.
  goEnv = {
    HOME: join(work, 'user'),
    GOPATH: join(work, 'gopath'),
    GOCACHE: join(work, 'gocache'),
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOFLAGS: '-mod=mod',
  };
  await files(join(work, 'app'), APP);
  await files(join(work, 'cdep'), CDEP);
  await files(join(work, 'plain'), PLAIN);
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('a module without cgo', () => {
  it('cgo on and off: no package uses cgo, nothing breaks, --strict passes, and go agrees', async () => {
    const dir = join(work, 'plain');
    for (const on of [true, false]) {
      const r = await report(dir, on);
      expect(r).toMatchObject({
        schema: 1,
        go: { version: go.version },
        cgo: { enabled: on, source: 'project' },
        packages: [],
        breaks: [],
      });
      expect((await cgo(dir, on, ['--strict'])).code).toBe(0);
      expect(await builds(dir)).toBe(true);
    }
    const text = await cgo(dir, true);
    expect(text.stdout).toContain('no package here uses cgo, directly or through a dependency');
  });
});

describe('a module with cgo', () => {
  it('cgo on: lists each cgo package, direct or through which dependency; nothing breaks; go builds it', async () => {
    const dir = join(work, 'app');
    const r = await report(dir, true);
    expect(r.cgo).toEqual({ enabled: true, source: 'project' });
    const by = Object.fromEntries(r.packages.map((p: { importPath: string }) => [p.importPath, p]));
    expect(by['example.com/app/internal/db']).toMatchObject({
      direct: true,
      standard: false,
      cgoFiles: ['db.go'],
      withoutCgo: null,
    });
    expect(by['example.com/app/internal/half']).toMatchObject({ direct: true, cgoFiles: ['c.go'] });
    expect(by['example.com/cdep']).toMatchObject({
      direct: false,
      standard: false,
      cgoFiles: ['cdep.go'],
      via: ['example.com/app', 'example.com/cdep'],
    });
    expect(by.net).toMatchObject({ standard: true, via: ['example.com/app', 'net/http', 'net'] });
    expect(by['os/user']).toMatchObject({ standard: true, via: ['example.com/app', 'os/user'] });
    expect(by['runtime/cgo']).toBeUndefined();
    expect(r.breaks).toEqual([]);
    expect(r.notes).toEqual([]);
    const text = await cgo(dir, true, ['--strict']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('cgo is on (cgo.enabled in .goarm.toml)');
    expect(text.stdout).toContain(
      '  example.com/cdep (dependency; cdep.go)\n      via example.com/app → example.com/cdep',
    );
    expect(await builds(dir)).toBe(true);
  });

  it('cgo off: says which break and why, which fall back; --strict exits 3; go fails to build it', async () => {
    const dir = join(work, 'app');
    const r = await report(dir, false);
    expect(r.cgo).toEqual({ enabled: false, source: 'project' });
    const by = Object.fromEntries(r.packages.map((p: { importPath: string }) => [p.importPath, p]));
    expect(by['example.com/app/internal/db']).toMatchObject({ withoutCgo: 'builds', error: null });
    expect(by['example.com/app/internal/half'].withoutCgo).toBe('fails');
    expect(by['example.com/app/internal/half'].error).toMatch(/undefined: y/);
    expect(by['example.com/cdep']).toMatchObject({
      withoutCgo: 'fails',
      error: `build constraints exclude all Go files in ${join(work, 'cdep')}`,
    });
    expect(by.net.withoutCgo).toBe('builds');
    expect(r.breaks).toEqual(['example.com/app/internal/half', 'example.com/cdep']);
    expect(r.notes.map((n: { id: string }) => n.id)).toEqual(['net-pure-go', 'os-user-files', 'time-zoneinfo']);

    const plain = await cgo(dir, false);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(
      'cgo is off here, but example.com/app/internal/half, example.com/cdep need it: the build breaks',
    );
    expect(plain.stdout).toContain('what CGO_ENABLED=0 changes here:');
    const strict = await cgo(dir, false, ['--strict']);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(
      /^error: cgo is off here but example\.com\/app\/internal\/half, example\.com\/cdep need it \[E_CGO_REQUIRED\]$/m,
    );
    expect(strict.stderr).toMatch(/^hint: set cgo\.enabled = true/m);
    expect(await builds(dir)).toBe(false);
  });

  it('CGO_ENABLED=0 in the environment wins over the project, as in the shims', async () => {
    const dir = join(work, 'app');
    const r = await report(dir, true, { CGO_ENABLED: '0' });
    expect(r.cgo).toEqual({ enabled: false, source: 'environment' });
    expect(r.breaks).toEqual(['example.com/app/internal/half', 'example.com/cdep']);
    expect(await builds(dir, { CGO_ENABLED: '0' })).toBe(false);
  });

  it('outside a module, or in one without packages: one clear error each', async () => {
    const dir = await tempHome('goarm-cgo-e2e-empty-');
    await writeFile(join(dir, '.goarm.toml'), 'go = "1.19"\n');
    const r = await runGoarm(['cgo'], { home, cwd: dir, env: goEnv });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`^error: go list -deps \.\/\.\.\. failed: pattern \.\/\.\.\.: ` +
          String.raw`directory prefix \. does not contain main module.*\[E_GO_LIST\]$`,
        'm',
      ),
    );
    expect(r.stderr).toMatch(/^hint: run goarm cgo inside a Go module/m);
    await writeFile(join(dir, 'go.mod'), 'module example.com/empty\n\ngo 1.19\n');
    const e = await runGoarm(['cgo', '--json'], { home, cwd: dir, env: goEnv });
    expect(e.code, e.stderr).toBe(4);
    expect(e.stderr).toContain(`error: no Go packages in ${dir} [E_NO_PACKAGES]`);
    expect(e.stdout).toBe('');
  });
});

describe('goarm verify on the real tree', () => {
  it('every file of the installed Go matches its install manifest', async () => {
    const r = await runGoarm(['verify', go.version, '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const [rep] = JSON.parse(r.stdout);
    expect(rep).toMatchObject({
      name: go.version,
      manifest: true,
      ok: true,
      added: [],
      missing: [],
      changed: [],
      wrongArch: [],
    });
    const m = JSON.parse(await readFile(join(home, 'manifests', `${go.version}.json`), 'utf8'));
    expect(Object.keys(m.files).length).toBeGreaterThan(5000);
  });
});
