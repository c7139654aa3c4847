import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoarmError } from '../../src/core/errors.js';
import { goarmHome, type Home } from '../../src/core/home.js';
import type { GlobalConfig } from '../../src/select/config.js';
import { pickInstalled, projectEnv, type ResolveOptions, resolveDir } from '../../src/select/resolve.js';
import { trust } from '../../src/select/trust.js';

let root: string; // the temp tree; nothing above it holds project files (checked in beforeEach)
let home: Home;
const INSTALLED = ['1.20', '1.20.14', '1.21.0', '1.21.13', '1.22.5', '1.23.4', '1.23.2', '1.24rc1'];

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'goarm-resolve-')));
  home = goarmHome({ GOARM_HOME: join(root, 'home') });
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Writes files relative to root, creating directories. */
async function tree(files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

function opts(over: Partial<ResolveOptions> & { default?: string } = {}): ResolveOptions {
  const global: GlobalConfig = {
    indexUrl: 'http://127.0.0.1:9/',
    downloadBase: 'http://127.0.0.1:9/',
    trustedKeys: [],
    autoInstall: false,
    vulndbUrl: 'http://127.0.0.1:9/',
    path: home.config,
    default: over.default,
    defaultLine: over.default ? 1 : undefined,
  };
  return { home, env: {}, installed: INSTALLED, global, hostArch: 'amd64', ...over };
}

async function failure(p: Promise<unknown>): Promise<GoarmError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(GoarmError);
  return e as GoarmError;
}

describe('precedence within one directory', () => {
  const all = {
    'p/.goarm.toml': '# pinned\ngo = "1.23"\n',
    'p/.go-version': '1.22.5\n',
    'p/.tool-versions': 'nodejs 20.1.0\ngolang 1.21.13\n',
    'p/go.mod': 'module example.com/p\n\ngo 1.20\n\ntoolchain go1.20.14\n',
  };

  it('GOARM_VERSION beats every file', async () => {
    await tree(all);
    const r = await resolveDir(join(root, 'p'), opts({ env: { GOARM_VERSION: 'go1.21.0' }, default: '1.22' }));
    expect(r).toMatchObject({ spec: '1.21.0', version: '1.21.0', source: { kind: 'env' } });
    expect(r.settingsFile).toBe(join(root, 'p/.goarm.toml')); // settings still come from the project
  });

  it('then .goarm.toml > .go-version > .tool-versions > go.mod toolchain > go.mod go > default', async () => {
    await tree(all);
    const p = join(root, 'p');
    const steps: [string | undefined, object][] = [
      [
        'p/.goarm.toml',
        { spec: '1.23', version: '1.23.4', source: { kind: 'goarm.toml', file: join(p, '.goarm.toml'), line: 2 } },
      ],
      [
        'p/.go-version',
        { spec: '1.22.5', version: '1.22.5', source: { kind: 'go-version', file: join(p, '.go-version'), line: 1 } },
      ],
      [
        'p/.tool-versions',
        {
          spec: '1.21.13',
          version: '1.21.13',
          source: { kind: 'tool-versions', file: join(p, '.tool-versions'), line: 2 },
        },
      ],
      [
        'p/go.mod',
        { spec: '1.20.14', version: '1.20.14', source: { kind: 'go.mod toolchain', file: join(p, 'go.mod'), line: 5 } },
      ],
      [
        undefined,
        { spec: '>=1.20', version: '1.24rc1', source: { kind: 'go.mod go', file: join(p, 'go.mod'), line: 3 } },
      ],
    ];
    for (const [next, want] of steps) {
      expect(await resolveDir(p, opts({ default: '1.24rc1' })), next).toMatchObject(want);
      if (next === 'p/go.mod') await writeFile(join(root, next), 'module example.com/p\n\ngo 1.20\n');
      else if (next) await rm(join(root, next));
    }
    await rm(join(p, 'go.mod'));
    expect(await resolveDir(p, opts({ default: '1.22' }))).toMatchObject({
      spec: '1.22',
      version: '1.22.5',
      source: { kind: 'default', file: home.config, line: 1 },
    });
  });

  it('a .goarm.toml without go does not stop the search', async () => {
    await tree({ 'p/.goarm.toml': '[cgo]\nenabled = false\n', 'p/.go-version': 'go1.23.2\n' });
    expect(await resolveDir(join(root, 'p'), opts())).toMatchObject({
      spec: '1.23.2',
      version: '1.23.2',
      source: { kind: 'go-version' },
    });
  });

  it('no version anywhere is E_NO_VERSION', async () => {
    await mkdir(join(root, 'empty'));
    const e = await failure(resolveDir(join(root, 'empty'), opts()));
    expect(e.code).toBe('E_NO_VERSION');
    expect(e.hint).toContain('goarm pin');
  });
});

describe('nearest directory wins', () => {
  it('a nearer .tool-versions beats a farther .goarm.toml; a farther .go-version applies below', async () => {
    await tree({
      '.goarm.toml': 'go = "1.21"\n',
      'a/.go-version': '1.22\n',
      'a/b/c/.tool-versions': 'go 1.20\n',
      'a/b/c/d/keep': '',
    });
    expect(await resolveDir(join(root, 'a/b/c/d'), opts())).toMatchObject({
      spec: '1.20',
      version: '1.20.14',
      source: { kind: 'tool-versions' },
    });
    expect(await resolveDir(join(root, 'a/b'), opts())).toMatchObject({
      spec: '1.22',
      version: '1.22.5',
      source: { kind: 'go-version', file: join(root, 'a/.go-version') },
    });
    expect(await resolveDir(root, opts())).toMatchObject({
      spec: '1.21',
      version: '1.21.13',
      source: { kind: 'goarm.toml' },
    });
  });

  it('a nearer go.mod toolchain beats a farther pin', async () => {
    await tree({ '.go-version': '1.23\n', 'mod/go.mod': 'module m\ngo 1.21\ntoolchain go1.21.0 // exact\n' });
    expect(await resolveDir(join(root, 'mod'), opts())).toMatchObject({
      spec: '1.21.0',
      version: '1.21.0',
      source: { kind: 'go.mod toolchain', line: 3 },
    });
  });

  it('settings come from the nearest .goarm.toml even when the version comes from elsewhere', async () => {
    await tree({
      '.goarm.toml': 'go = "1.21"\narch = "amd64"\n[cgo]\nenabled = true\n',
      'a/.goarm.toml': '[cgo]\nenabled = false\nnetdns = "go"\n',
      'a/b/.go-version': '1.22.5\n',
    });
    const r = await resolveDir(join(root, 'a/b'), opts({ hostArch: 'arm64' }));
    expect(r).toMatchObject({
      version: '1.22.5',
      source: { kind: 'go-version' },
      settingsFile: join(root, 'a/.goarm.toml'),
    });
    expect(r.env).toEqual({ GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GODEBUG: 'netdns=go' });
    expect(r.archPin).toBe('arm64'); // no arch in the nearest file: the arm64 host's own
    const top = await resolveDir(root, opts({ hostArch: 'arm64' }));
    expect(top.archPin).toBe('amd64');
    expect(top.env.CGO_ENABLED).toBe('1');
  });
});

describe('go.mod go is a minimum', () => {
  const mod = (v: string) => ({ 'm/go.mod': `module m\n\ngo ${v} // minimum\n` });

  it('uses the global default when it satisfies the minimum', async () => {
    await tree(mod('1.21'));
    expect(await resolveDir(join(root, 'm'), opts({ default: '1.22' }))).toMatchObject({
      spec: '>=1.21',
      version: '1.22.5',
      installSpec: '1.21',
      source: { kind: 'go.mod go', line: 3 },
    });
  });

  it('else the newest installed stable release >= it, else a prerelease', async () => {
    await tree(mod('1.21.3'));
    expect((await resolveDir(join(root, 'm'), opts({ default: '1.20' }))).version).toBe('1.23.4');
    expect((await resolveDir(join(root, 'm'), opts({ installed: ['1.20.14', '1.24rc1'] }))).version).toBe('1.24rc1');
  });

  it('1.21 as a minimum admits 1.21.0 and 1.21rc1 (Go orders 1.21 < 1.21rc1 < 1.21.0)', async () => {
    await tree(mod('1.21'));
    expect((await resolveDir(join(root, 'm'), opts({ installed: ['1.20.14', '1.21rc1'] }))).version).toBe('1.21rc1');
    expect((await resolveDir(join(root, 'm'), opts({ installed: ['1.20.14', '1.21.0', '1.21rc1'] }))).version).toBe(
      '1.21.0',
    );
  });

  it('nothing installed satisfies it: no version, and what to install', async () => {
    await tree(mod('1.25.1'));
    const r = await resolveDir(join(root, 'm'), opts({ default: '1.23' }));
    expect(r).toMatchObject({ spec: '>=1.25.1', installSpec: '1.25' });
    expect(r.version).toBeUndefined();
  });

  it('a farther explicit pin applies when it satisfies the minimum, not otherwise', async () => {
    await tree({ '.go-version': '1.22.5\n', ...mod('1.21') });
    expect(await resolveDir(join(root, 'm'), opts({ default: '1.23' }))).toMatchObject({
      version: '1.22.5',
      source: { kind: 'go-version', file: join(root, '.go-version') },
    });
    await tree({ '.go-version': '1.20\n' });
    expect(await resolveDir(join(root, 'm'), opts({ default: '1.23' }))).toMatchObject({
      version: '1.23.4',
      source: { kind: 'go.mod go' },
    });
  });

  it('a farther go.mod belongs to another module and is ignored', async () => {
    await tree({ 'go.mod': 'module outer\ngo 1.20\ntoolchain go1.20.14\n', 'inner/go.mod': 'module inner\ngo 1.22\n' });
    const r = await resolveDir(join(root, 'inner'), opts());
    expect(r).toMatchObject({ version: '1.23.4', source: { kind: 'go.mod go', file: join(root, 'inner/go.mod') } });
    expect(r.readFiles).not.toContain(join(root, 'go.mod'));
  });

  it('toolchain default is no toolchain', async () => {
    await tree({ 'm/go.mod': 'module m\ngo 1.22\ntoolchain default\n' });
    expect((await resolveDir(join(root, 'm'), opts())).source.kind).toBe('go.mod go');
  });
});

describe('hostile and malformed version strings', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      '.go-version ../../etc',
      { 'p/.go-version': '\n../../etc\n' },
      /\/p\/\.go-version:2: invalid Go version "\.\.\/\.\.\/etc"$/,
    ],
    [
      '.tool-versions 1.2/..',
      { 'p/.tool-versions': '# tools\ngolang 1.2/..\n' },
      /\/p\/\.tool-versions:2: invalid Go version "1\.2\/\.\."$/,
    ],
    [
      '.tool-versions ref:',
      { 'p/.tool-versions': 'golang ref:master\n' },
      /\/p\/\.tool-versions:1: invalid Go version "ref:master"$/,
    ],
    [
      'go.mod toolchain',
      { 'p/go.mod': 'module p\ngo 1.21\ntoolchain go../../../bin\n' },
      /\/p\/go\.mod:3: invalid Go version "go\.\.\/\.\.\/\.\.\/bin"$/,
    ],
    ['go.mod go', { 'p/go.mod': 'module p\ngo 1.21/../..\n' }, /\/p\/go\.mod:2: invalid Go version/],
    [
      'shell in .go-version',
      { 'p/.go-version': '1.21"; rm -rf ~; "\n' },
      /\/p\/\.go-version:1: invalid Go version "1\.21\\"; rm -rf ~; \\""$/,
    ],
  ];
  for (const [name, files, message] of cases)
    it(`rejects ${name} with E_BAD_PIN at file:line`, async () => {
      await tree(files);
      const e = await failure(resolveDir(join(root, 'p'), opts({ default: '1.22' })));
      expect(e.code).toBe('E_BAD_PIN');
      expect(e.exitCode).toBe(3);
      expect(e.message).toMatch(message);
      expect(e.hint).toContain('1.23.4');
    });

  it('rejects a hostile GOARM_VERSION and a hostile .goarm.toml go', async () => {
    await mkdir(join(root, 'p'));
    const e = await failure(resolveDir(join(root, 'p'), opts({ env: { GOARM_VERSION: '../../../etc/passwd' } })));
    expect([e.code, e.exitCode]).toEqual(['E_BAD_SPEC', 2]); // as the shims say it
    expect(e.message).toMatch(/^GOARM_VERSION: invalid Go version/);
    await tree({ 'p/.goarm.toml': 'go = "../.."\n' });
    expect((await failure(resolveDir(join(root, 'p'), opts()))).message).toMatch(
      /\/p\/\.goarm\.toml:1:6: invalid Go version "\.\.\/\.\."/,
    );
  });
});

describe('trust decides which settings apply', () => {
  const risky = [
    '[cgo]',
    'enabled = true',
    'tags = ["netgo"]',
    'cc = "/tmp/evil-cc"',
    'cflags = "-O2"',
    'ldflags = "-s"',
    '[env]',
    'GOFLAGS = "-toolexec=/tmp/evil -tags=osusergo"',
    'GOPRIVATE = "example.com/*"',
    'GOTOOLCHAIN = "go1.23.4+auto"',
    'GODEBUG = "http2debug=1,netdns=cgo"',
    '',
  ].join('\n');

  it('an untrusted file gets only the harmless settings and lists what it ignored', async () => {
    await tree({ 'p/.goarm.toml': 'go = "1.22"\n' + risky });
    const r = await resolveDir(join(root, 'p'), opts());
    expect(r.trusted).toBe(false);
    expect(r.env).toEqual({ GOTOOLCHAIN: 'local', CGO_ENABLED: '1', GOFLAGS: '-tags=netgo' });
    expect(r.ignored).toEqual([
      'cgo.cc',
      'cgo.cflags',
      'cgo.ldflags',
      'env.GOFLAGS',
      'env.GOPRIVATE',
      'env.GOTOOLCHAIN',
      'env.GODEBUG',
    ]);
  });

  it('once trusted everything applies; an edit needs trusting again', async () => {
    await tree({ 'p/.goarm.toml': 'go = "1.22"\n' + risky.replace('[cgo]', '[cgo]\nnetdns = "go+1"') });
    await trust(home, join(root, 'p/.goarm.toml'));
    const r = await resolveDir(join(root, 'p'), opts());
    expect(r.trusted).toBe(true);
    expect(r.ignored).toEqual([]);
    expect(r.env).toEqual({
      CC: '/tmp/evil-cc',
      CGO_CFLAGS: '-O2',
      CGO_LDFLAGS: '-s',
      GOPRIVATE: 'example.com/*',
      GOTOOLCHAIN: 'go1.23.4+auto',
      CGO_ENABLED: '1',
      GODEBUG: 'http2debug=1,netdns=go+1', // [cgo].netdns replaces the one in [env]
      GOFLAGS: '-toolexec=/tmp/evil -tags=osusergo,netgo', // one -tags flag, merged
    });
    expect(r.searchedDirs).toContain(home.trust); // trusting must invalidate the shim cache
    await writeFile(join(root, 'p/.goarm.toml'), 'go = "1.22"\n' + risky + '# harmless edit\n');
    expect((await resolveDir(join(root, 'p'), opts())).trusted).toBe(false);
  });

  it('without any .goarm.toml the env is just GOTOOLCHAIN=local and no arch pin on amd64', async () => {
    await tree({ 'p/.go-version': '1.22\n' });
    const r = await resolveDir(join(root, 'p'), opts());
    expect(r.env).toEqual({ GOTOOLCHAIN: 'local' });
    expect(r.archPin).toBeUndefined();
    expect(r.settings).toBeUndefined();
    expect(r.searchedDirs).not.toContain(home.trust);
  });

  it('projectEnv never emits GOROOT', () => {
    const { env } = projectEnv({ file: 'f', cgo: {}, env: { GOROOT: '/elsewhere' } }, true);
    expect(env).not.toHaveProperty('GOROOT');
  });
});

describe('staleness inputs', () => {
  it('lists every directory searched and every file read, plus config.toml and versions/', async () => {
    await tree({
      '.goarm.toml': '[cgo]\nenabled = false\n',
      'a/.go-version': '1.22\n',
      'a/b/go.mod': 'module x\ngo 1.20\n',
    });
    const r = await resolveDir(join(root, 'a/b/c'), opts()); // c does not exist: still a directory to watch
    expect(r.searchedDirs.slice(0, 4)).toEqual([join(root, 'a/b/c'), join(root, 'a/b'), join(root, 'a'), root]);
    expect(r.searchedDirs).not.toContain(home.trust); // nothing in this .goarm.toml needs trust
    expect(r.readFiles).toEqual([
      home.config,
      home.versions,
      join(root, 'a/b/go.mod'),
      join(root, 'a/.go-version'),
      join(root, '.goarm.toml'),
    ]);
    expect(r).toMatchObject({ version: '1.22.5', source: { kind: 'go-version' } });
  });

  it('walks to / when no .goarm.toml exists, so a file created in any ancestor is noticed', async () => {
    await tree({ 'p/.go-version': '1.22\n' });
    const r = await resolveDir(join(root, 'p'), opts());
    expect(r.searchedDirs.at(-1)).toBe('/');
  });
});

describe('pickInstalled', () => {
  it('picks the newest installed match, stable first', () => {
    expect(pickInstalled('1.23', INSTALLED)).toBe('1.23.4');
    expect(pickInstalled('go1.23', INSTALLED)).toBe('1.23.4');
    expect(pickInstalled('1.20', INSTALLED)).toBe('1.20.14');
    expect(pickInstalled('1.20', ['1.20'])).toBe('1.20'); // Go 1.20's own release directory
    expect(pickInstalled('1.2', INSTALLED)).toBeUndefined(); // 1.2 is not a prefix of 1.20
    expect(pickInstalled('1.24', INSTALLED)).toBe('1.24rc1');
    expect(pickInstalled('1.24', [...INSTALLED, '1.24.0'])).toBe('1.24.0');
    expect(pickInstalled('1.23.3', INSTALLED)).toBeUndefined();
    expect(pickInstalled('1.23.2', INSTALLED)).toBe('1.23.2');
    expect(pickInstalled('1.20.0', INSTALLED)).toBe('1.20'); // Go: 1.20 == 1.20.0
    expect(pickInstalled('stable', INSTALLED)).toBe('1.23.4');
    expect(pickInstalled('latest', INSTALLED)).toBe('1.23.4');
    expect(pickInstalled('latest', ['1.24rc1'])).toBe('1.24rc1');
    expect(pickInstalled('stable', ['1.24rc1'])).toBeUndefined();
  });
});
