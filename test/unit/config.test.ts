import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoarmError } from '../../src/core/errors.js';
import { goarmHome, type Home } from '../../src/core/home.js';
import {
  DEFAULT_DOWNLOAD_BASE,
  DEFAULT_INDEX_URL,
  loadGlobalConfig,
  loadProjectConfig,
  parseProjectConfig,
  pinProjectVersion,
  setGlobalDefault,
  specProblem,
} from '../../src/select/config.js';

let dir: string;
let home: Home;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goarm-config-'));
  home = goarmHome({ GOARM_HOME: join(dir, 'home') });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs fn, which must throw a GoarmError; returns it. */
async function failure(fn: () => unknown): Promise<GoarmError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GoarmError);
    return e as GoarmError;
  }
  throw new Error('expected a GoarmError, got success');
}

describe('loadGlobalConfig', () => {
  it('gives the defaults when config.toml does not exist', async () => {
    const c = await loadGlobalConfig(home, {});
    expect(c).toMatchObject({
      indexUrl: DEFAULT_INDEX_URL,
      downloadBase: DEFAULT_DOWNLOAD_BASE,
      trustedKeys: [],
      autoInstall: false,
      path: home.config,
    });
    expect(c.default).toBeUndefined();
  });

  it('reads every key, resolves key paths against GOARM_HOME and adds the trailing slash', async () => {
    await writeFile(join(dir, 'abs.asc'), 'x');
    await mkdir(home.root, { recursive: true });
    await writeFile(
      home.config,
      [
        '# my settings',
        'index_url = "http://127.0.0.1:9/dl/?mode=json&include=all"',
        'download_base = "http://127.0.0.1:9/files"',
        `trusted_keys = ["keys/test.asc", ${JSON.stringify(join(dir, 'abs.asc'))}]`,
        'default = "1.22"',
        'auto_install = true',
        '',
      ].join('\n'),
    );
    const c = await loadGlobalConfig(home, {});
    expect(c.indexUrl).toBe('http://127.0.0.1:9/dl/?mode=json&include=all');
    expect(c.downloadBase).toBe('http://127.0.0.1:9/files/');
    expect(c.trustedKeys).toEqual([join(home.root, 'keys/test.asc'), join(dir, 'abs.asc')]);
    expect(c.default).toBe('1.22');
    expect(c.defaultLine).toBe(5);
    expect(c.autoInstall).toBe(true);
  });

  it('lets GOARM_INDEX_URL and GOARM_DOWNLOAD_BASE override the file', async () => {
    await mkdir(home.root, { recursive: true });
    await writeFile(home.config, 'index_url = "https://a.example/"\ndownload_base = "https://b.example/"\n');
    const c = await loadGlobalConfig(home, {
      GOARM_INDEX_URL: 'http://127.0.0.1:1/i',
      GOARM_DOWNLOAD_BASE: 'http://127.0.0.1:1/d',
    });
    expect(c.indexUrl).toBe('http://127.0.0.1:1/i');
    expect(c.downloadBase).toBe('http://127.0.0.1:1/d/');
    const e = await failure(() => loadGlobalConfig(home, { GOARM_INDEX_URL: 'ftp://x' }));
    expect(e.message).toContain('GOARM_INDEX_URL');
  });

  it('reports every problem in config.toml with line:col', async () => {
    await mkdir(home.root, { recursive: true });
    await writeFile(home.config, 'auto_instal = true\ndefault = "../../etc"\nindex_url = 3\n');
    const e = await failure(() => loadGlobalConfig(home, {}));
    expect(e.code).toBe('E_CONFIG');
    expect(e.exitCode).toBe(3);
    expect(e.message.split('\n')).toEqual([
      `${home.config}:1:1: unknown key "auto_instal"; did you mean "auto_install"?`,
      expect.stringMatching(new RegExp(`^${escape(home.config)}:2:11: invalid Go version "\\.\\./\\.\\./etc"`)),
      `${home.config}:3:13: index_url must be a string, not a number`,
    ]);
  });
});

describe('setGlobalDefault', () => {
  it('creates config.toml when missing', async () => {
    await setGlobalDefault(home, '1.23.4');
    expect(await readFile(home.config, 'utf8')).toBe('default = "1.23.4"\n');
    expect((await loadGlobalConfig(home, {})).default).toBe('1.23.4');
  });

  it('replaces the default line keeping comments, other keys and the trailing comment', async () => {
    await mkdir(home.root, { recursive: true });
    const before =
      '# goarm settings\n\n  default = "1.21" # chosen by me\nauto_install = true # yes\n\n[future]\n# nothing\n';
    await writeFile(home.config, before);
    await setGlobalDefault(home, '1.22');
    expect(await readFile(home.config, 'utf8')).toBe(before.replace('"1.21"', '"1.22"'));
    expect(await readdir(home.root)).toEqual(['config.toml']); // no temp file left behind
  });

  it('inserts the key before the first table (and its comment block) when absent', async () => {
    await mkdir(home.root, { recursive: true });
    await writeFile(home.config, '# top\nauto_install = false\n\n# the future\n[future]\nx = 1\n');
    await setGlobalDefault(home, 'go1.20.3');
    expect(await readFile(home.config, 'utf8')).toBe(
      '# top\nauto_install = false\n\ndefault = "1.20.3"\n\n# the future\n[future]\nx = 1\n',
    );
  });

  it('refuses a hostile version and leaves the file alone', async () => {
    const e = await failure(() => setGlobalDefault(home, '1.2/..'));
    expect(e.code).toBe('E_BAD_SPEC');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('.goarm.toml', () => {
  const file = () => join(dir, '.goarm.toml');

  it('parses the documented schema', async () => {
    await writeFile(
      file(),
      [
        'go = "1.23"                 # a version spec',
        'arch = "arm64"',
        '',
        '[cgo]',
        'enabled = false',
        'netdns = "go"',
        'tags = ["netgo", "osusergo"]',
        'cc = "clang"',
        'cflags = "-O2"',
        'ldflags = "-s"',
        '',
        '[env]',
        'GOFLAGS = "-trimpath"',
        'GOTOOLCHAIN = "go1.23.4"',
        '',
      ].join('\n'),
    );
    expect(await loadProjectConfig(file())).toEqual({
      file: file(),
      go: '1.23',
      goLine: 1,
      arch: 'arm64',
      cgo: { enabled: false, netdns: 'go', tags: ['netgo', 'osusergo'], cc: 'clang', cflags: '-O2', ldflags: '-s' },
      env: { GOFLAGS: '-trimpath', GOTOOLCHAIN: 'go1.23.4' },
    });
  });

  it('accepts dotted keys, inline tables and multi-line arrays', () => {
    const c = parseProjectConfig(
      'x.toml',
      'cgo.enabled = true\ncgo.tags = [\n  "a", # first\n  "b",\n]\nenv = { GOPRIVATE = "example.com/*" }\n',
    );
    expect(c.cgo).toEqual({ enabled: true, tags: ['a', 'b'] });
    expect(c.env).toEqual({ GOPRIVATE: 'example.com/*' });
  });

  it('reports every problem at once, each with the right line:col', () => {
    const src = [
      'gov = "1.23"', //               1: unknown key, with a suggestion
      'arch = "arm46"', //             2: unknown GOARCH, with a suggestion
      'notes = """', //                3: unknown key whose value spans lines
      'tagz = ["not a key"]', //       4: inside the string: must NOT be reported
      '"""',
      '',
      '[cgo]', //                      7
      '  enabled = "yes"', //          8: wrong type, points at the value
      'tagz = ["netgo"]', //           9: unknown key in [cgo]
      'tags = ["ok", 3, "x"]', //     10: element type
      'netdns = "dns"', //            11
      '',
      '[env]', //                     13
      'GOROOT = "/usr/local/go"', //  14: forbidden
      '"BAD-NAME" = "x"', //          15: bad variable name
      'GOPRIVATE = 1', //             16: not a string
      '[sandbox]', //                 17: unknown table
    ];
    let e: GoarmError | undefined;
    try {
      parseProjectConfig('/p/.goarm.toml', src.join('\n') + '\n');
    } catch (x) {
      e = x as GoarmError;
    }
    expect(e).toBeInstanceOf(GoarmError);
    expect(e!.code).toBe('E_CONFIG');
    expect(e!.exitCode).toBe(3);
    expect(e!.message.split('\n')).toEqual([
      '/p/.goarm.toml:1:1: unknown key "gov"; did you mean "go"?',
      '/p/.goarm.toml:2:8: unknown GOARCH "arm46"; did you mean "arm64"?',
      '/p/.goarm.toml:3:1: unknown key "notes"',
      '/p/.goarm.toml:8:13: cgo.enabled must be true or false, not a string',
      '/p/.goarm.toml:9:1: unknown key "tagz" in [cgo]; did you mean "tags"?',
      '/p/.goarm.toml:10:8: cgo.tags[1] must be a string, not a number',
      '/p/.goarm.toml:11:10: cgo.netdns must be "go" or "cgo" (optionally +1 or +2), not "dns"',
      expect.stringMatching(/^\/p\/\.goarm\.toml:14:1: GOROOT cannot be set: goarm chooses the Go root/),
      '/p/.goarm.toml:15:1: invalid environment variable name "BAD-NAME"',
      '/p/.goarm.toml:16:13: env.GOPRIVATE must be a string, not a number',
      '/p/.goarm.toml:17:1: unknown key "sandbox"',
    ]);
    expect(e!.hint).toContain('these 11 problems');
  });

  it('uses smol-toml line:col for syntax errors', () => {
    let e: GoarmError | undefined;
    try {
      parseProjectConfig('/p/.goarm.toml', 'go = "1.23"\n[cgo]\nenabled = = true\n');
    } catch (x) {
      e = x as GoarmError;
    }
    expect(e?.code).toBe('E_CONFIG');
    expect(e?.message).toMatch(/^\/p\/\.goarm\.toml:3:11: /);
    expect(e?.message).not.toContain('\n');
  });

  it('rejects hostile or malformed go specs, top-level cgo keys and conflicting [env] keys', () => {
    const msg = (src: string) => {
      try {
        parseProjectConfig('f', src);
      } catch (e) {
        return (e as GoarmError).message;
      }
      return 'no error';
    };
    expect(msg('go = "../../etc"')).toMatch(/^f:1:6: invalid Go version "\.\.\/\.\.\/etc"/);
    expect(msg('go = "1.2/.."')).toMatch(/^f:1:6: invalid Go version/);
    expect(msg('go = "1.23 ; rm -rf /"')).toMatch(/^f:1:6: invalid Go version/);
    expect(msg('go = 1.23')).toBe('f:1:6: go must be a string, not a number');
    expect(msg('[cgo]\ncc = "gcc"\n[env]\nCC = "clang"\nGOARCH = "amd64"')).toBe(
      'f:4:1: CC is also set by cgo.cc; keep only one\nf:5:1: set GOARCH with the top-level `arch` key, not in [env]',
    );
    expect(msg('cgo = 1')).toBe('f:1:7: cgo must be a table, not a number');
    expect(msg('[cgo]\ntags = ["-toolexec=/tmp/x"]')).toMatch(
      /^f:2:8: cgo.tags: invalid build tag "-toolexec=\/tmp\/x"/,
    );
  });

  it('loadProjectConfig on a missing file is a config error', async () => {
    expect((await failure(() => loadProjectConfig(file()))).code).toBe('E_CONFIG');
  });
});

describe('pinProjectVersion', () => {
  it('creates .goarm.toml when missing', async () => {
    expect(await pinProjectVersion(dir, 'go1.22')).toBe(join(dir, '.goarm.toml')); // written without "go"
    expect(await readFile(join(dir, '.goarm.toml'), 'utf8')).toBe('go = "1.22"\n');
  });

  it('updates go in place keeping comments and the other lines', async () => {
    const before = '# project\ngo = \'1.21\'   # old pin\narch = "arm64"\n\n[cgo]\n# cgo off\nenabled = false\n';
    await writeFile(join(dir, '.goarm.toml'), before);
    await pinProjectVersion(dir, '1.23.4');
    expect(await readFile(join(dir, '.goarm.toml'), 'utf8')).toBe(before.replace("'1.21'", '"1.23.4"'));
    expect((await loadProjectConfig(join(dir, '.goarm.toml'))).go).toBe('1.23.4');
  });

  it('inserts go before the first table when there is none, not inside [env]', async () => {
    await writeFile(join(dir, '.goarm.toml'), 'arch = "arm64"\n[env]\ngo = "not the version"\n');
    await pinProjectVersion(dir, '1.22');
    const text = await readFile(join(dir, '.goarm.toml'), 'utf8');
    expect(text).toBe('arch = "arm64"\ngo = "1.22"\n\n[env]\ngo = "not the version"\n');
  });

  it('refuses a broken file rather than editing it blindly', async () => {
    await writeFile(join(dir, '.goarm.toml'), 'go = "1.21\n');
    expect((await failure(() => pinProjectVersion(dir, '1.22'))).code).toBe('E_CONFIG');
    expect(await readFile(join(dir, '.goarm.toml'), 'utf8')).toBe('go = "1.21\n');
  });
});

describe('specProblem', () => {
  it('accepts the spec grammar and rejects everything else', () => {
    for (const ok of ['1.23', '1.23.4', 'go1.23.4', '1.24rc1', '1.21beta2', 'latest', 'stable', '1.9.2rc2', 'system'])
      expect(specProblem(ok), ok).toBeUndefined();
    for (const bad of [
      '../../etc',
      '1.2/..',
      '..',
      '1',
      'go',
      '',
      ' 1.23',
      '1.23\n',
      '1.023',
      '1.23.4-custom',
      'System',
      'system ',
      '1.2.3.4',
    ])
      expect(specProblem(bad), JSON.stringify(bad)).toBeDefined();
  });
});

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
