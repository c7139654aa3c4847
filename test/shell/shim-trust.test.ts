// What a project file can make the shim do: [env]/cgo.cc only after `goarm trust` (and never as shell code),
// hostile version strings refused, a malformed .goarm.toml reported at file:line:col.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { envOf, field, HOWS, makeWorld, type World } from '../helpers/fakego.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let w: World;
// Known before the tests are declared (test names and it.each tables embed it); removed afterwards.
const marker = join(tmpdir(), `goarm-pwned-${process.pid}-${randomBytes(4).toString('hex')}`);
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5', '1.23.4'], default: '1.22' });
});
afterAll(async () => {
  await rm(marker, { force: true });
  await cleanupTempHomes();
});
const noMarker = () => expect(existsSync(marker), `${marker} exists: project text ran as shell code`).toBe(false);

describe('injection', () => {
  const hostile = () => ({
    X_QUOTE: "it's a 'quoted' value",
    X_SUBST: `$(touch ${marker})`,
    X_BACKTICK: `\`touch ${marker}\``,
    X_NEWLINE: `line1\nline2; touch ${marker}\n`,
    X_SEMI: `x; touch ${marker}; y`,
    X_BREAKOUT: `'; touch ${marker}; echo '`,
    X_DQ: `"; touch ${marker}; echo "$HOME\\`,
    X_EMPTY: '',
  });
  const cc = () => `clang'; touch ${marker}; echo '$(touch ${marker})`;

  it('[env] and cgo.cc values reach go verbatim under every shell, and none runs', async () => {
    const env = hostile();
    const cwd = await w.files('inject', { '.goarm.toml': stringify({ go: '1.23', cgo: { cc: cc() }, env }) + '\n' });
    const names = [...Object.keys(env), 'CC'];
    const before = await w.shim('dash', ['env0', ...names], { cwd });
    expect(before.code, before.stderr).toBe(0);
    expect([...envOf(before.stdout).keys()]).toEqual([]); // untrusted: nothing applied
    const t = await w.goarm(['trust'], { cwd });
    expect(t.code, t.stderr).toBe(0);
    for (const how of HOWS) {
      const r = await w.shim(how, ['env0', ...names], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const got = envOf(r.stdout);
      for (const [k, v] of Object.entries(env)) expect(got.get(k), `${how}: ${k}`).toBe(v);
      expect(got.get('CC')).toBe(cc());
    }
    const viaExec = await w.goarm(['exec', '--', 'go', 'env0', ...names], { cwd });
    expect(viaExec.code, viaExec.stderr).toBe(0);
    expect(Object.fromEntries(envOf(viaExec.stdout))).toEqual({ ...env, CC: cc() });
    noMarker();
  });

  it('an [env] name that is shell code is a config error, not a variable', async () => {
    const cwd = await w.files('badname', { '.goarm.toml': `go = "1.23"\n[env]\n"A;touch ${marker}" = "x"\n` });
    const r = await w.shim('dash', ['version'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(cwd, '.goarm.toml')}:3:1: invalid environment variable name`);
    noMarker();
  });

  // A value from a file is quoted and escaped; over 32 characters it is cut (issue 11: never the file's content).
  const shown = (v: string) =>
    v.length <= 32 ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, 24))}… (${v.length} characters)`;
  const VERSIONS = ['../../etc', '1.2/..', '$(id)', `$(touch ${marker})`, `1.22;touch ${marker}`, '`id`', '1.22 1.23'];
  it.each(VERSIONS)('.go-version %j is refused with a clear error, and nothing runs', async (v) => {
    const cwd = await w.files(`badver-${VERSIONS.indexOf(v)}`, { '.go-version': `${v}\n` });
    for (const how of HOWS) {
      const r = await w.shim(how, ['version'], { cwd });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`error: ${join(cwd, '.go-version')}:1: invalid Go version ${shown(v)} [E_BAD_PIN]`);
      expect(r.stderr).toMatch(/^hint: a version looks like 1\.23/m);
    }
    noMarker();
  });

  it('hostile versions in .goarm.toml, .tool-versions, go.mod and GOARM_VERSION are refused too', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ '.goarm.toml': 'go = "../../etc"\n' }, /\.goarm\.toml:1:6: invalid Go version/],
      [{ '.tool-versions': `golang $(touch ${marker})\n` }, /\.tool-versions:1: invalid Go version/],
      [{ 'go.mod': 'module m\n\ntoolchain go1.2/../../x\n' }, /go\.mod:3: invalid Go version/],
    ];
    for (const [i, [files, want]] of cases.entries()) {
      const cwd = await w.files(`badsrc-${i}`, files);
      const r = await w.shim('bash', ['version'], { cwd });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(want);
    }
    const cwd = await w.files('badenv', { 'main.go': 'package main\n' });
    for (const v of ['../../etc', '1.2/..', `$(touch ${marker})`]) {
      const r = await w.shim('dash', ['version'], { cwd, env: { GOARM_VERSION: v } });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/GOARM_VERSION.*(not a version|invalid Go version)/);
    }
    noMarker();
  });
});

describe('malformed .goarm.toml', () => {
  const CASES: [string, string, RegExp][] = [
    ['syntax', 'go = "1.23"\n[cgo\nenabled = true\n', /:2:\d+: /],
    ['schema', '# settings\ngo = "1.23"\narch = "arm46"\n', /:3:8: unknown GOARCH "arm46"; did you mean "arm64"\?/],
    [
      'types',
      'go = 1.23\n\n[cgo]\nenabled = "no"\n',
      /:1:6: go must be a string, not a number\n.*:4:11: cgo\.enabled must be true or false/,
    ],
  ];
  it.each(CASES)(
    '%s error: file:line:col on stderr, exit 3, through the shim and `goarm current`',
    async (name, text, where) => {
      const root = await w.files(`malformed-${name}`, { '.goarm.toml': text, 'sub/.go-version': '1.22\n' });
      const file = join(root, '.goarm.toml');
      // From a subdirectory too: the version comes from sub/.go-version, but the settings file is still read.
      for (const cwd of [root, join(root, 'sub')]) {
        for (const how of ['dash', 'direct'] as const) {
          const r = await w.shim(how, ['version'], { cwd });
          expect(r.code, r.stderr).toBe(3);
          expect(r.stdout).toBe('');
          expect(r.stderr).toMatch(
            new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'),
          );
          expect(r.stderr).toMatch(where);
          expect(r.stderr).toMatch(/\[E_CONFIG\]$/m);
        }
        const cur = await w.goarm(['current'], { cwd });
        expect(cur.code).toBe(3);
        expect(cur.stderr).toMatch(where);
      }
    },
  );
});

describe('trust', () => {
  it('untrusted [env] is ignored with one line; trust applies it; an edit or untrust ignores it again', async () => {
    const toml =
      'go = "1.23"\narch = "arm64"\n\n[cgo]\nenabled = false\ncc = "clang-17"\n\n' +
      '[env]\nX = "from-project"\nGOFLAGS = "-mod=mod"\n';
    const cwd = await w.files('trust', { '.goarm.toml': toml });
    await w.settle(); // so that the first untrusted() round exercises the warm cache too
    const file = join(cwd, '.goarm.toml');
    const ignoredLine = (stderr: string) => {
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toContain(file);
      for (const k of ['cgo.cc', 'env.X', 'env.GOFLAGS']) expect(lines[0]).toContain(k);
      expect(lines[0]).toContain('goarm trust');
    };
    const untrusted = async () => {
      for (const how of ['dash', 'zsh'] as const) {
        // the first call resolves (Node), the second may use the cache
        const r = await w.shim(how, ['version'], { cwd });
        expect(r.code, r.stderr).toBe(0);
        ignoredLine(r.stderr);
        // version, arch and cgo.enabled need no trust
        expect(r.stdout).toMatch(
          new RegExp(
            String.raw`^go=1\.23\.4 args=version GOARCH=arm64 GOROOT=unset GOTOOLCHAIN=local CGO_ENABLED=0 ` +
              'GOFLAGS=unset CC=unset X=unset$',
            'm',
          ),
        );
      }
    };
    const trusted = async () => {
      for (const how of ['bash', 'direct'] as const) {
        const r = await w.shim(how, ['version'], { cwd });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(
          new RegExp(
            String.raw`^go=1\.23\.4 args=version GOARCH=arm64 GOROOT=unset GOTOOLCHAIN=local CGO_ENABLED=0 ` +
              'GOFLAGS=-mod=mod CC=clang-17 X=from-project$',
            'm',
          ),
        );
      }
    };
    const list = async () => {
      // this file's line of `goarm trust --list` (other tests trust other files)
      const r = await w.goarm(['trust', '--list'], { cwd });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .split('\n')
        .filter((l) => l.endsWith(` ${file}`))
        .join('\n');
    };

    await untrusted();
    expect(await list()).toBe('');

    const t = await w.goarm(['trust'], { cwd });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`trusted ${file}`);
    expect(t.stdout).toMatch(/now applied: .*env\.X/);
    await trusted();
    expect(await list()).toBe(`trusted  ${file}`);

    // The caller's own value still wins over the project's.
    const own = await w.shim('dash', ['version'], { cwd, env: { X: 'mine', GOFLAGS: '-v' } });
    expect(field(own.stdout, 'X')).toBe('mine');
    expect(field(own.stdout, 'GOFLAGS')).toBe('-v');

    await appendFile(file, '# edited after trusting\n');
    await untrusted();
    expect(await list()).toBe(`changed  ${file}`);

    expect((await w.goarm(['trust', cwd])).code).toBe(0); // by directory, from elsewhere
    await trusted();
    const json = await w.goarm(['trust', '--list', '--json']);
    expect(JSON.parse(json.stdout)).toContainEqual({ path: file, current: true });

    const u = await w.goarm(['untrust'], { cwd });
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(`no longer trusted: ${file}`);
    await untrusted();
    expect(await list()).toBe('');
    const again = await w.goarm(['untrust'], { cwd });
    expect(again.stdout).toContain(`was not trusted: ${file}`);
  });

  it('a file that does not validate cannot be trusted', async () => {
    const cwd = await w.files('trust-bad', { '.goarm.toml': '[env]\nGOROOT = "/elsewhere"\n' });
    const r = await w.goarm(['trust'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\.goarm\.toml:2:1: GOROOT cannot be set/);
    expect((await w.goarm(['trust', '--list'])).stdout).not.toContain(cwd);
  });

  it('trusting a file and replacing it with different content of the same size applies nothing', async () => {
    const cwd = await w.files('trust-swap', { '.goarm.toml': '[env]\nX = "aaaa"\n' });
    expect((await w.goarm(['trust'], { cwd })).code).toBe(0);
    expect(field((await w.shim('dash', ['version'], { cwd })).stdout, 'X')).toBe('aaaa');
    await writeFile(join(cwd, '.goarm.toml'), '[env]\nX = "bbbb"\n');
    const r = await w.shim('dash', ['version'], { cwd });
    expect(field(r.stdout, 'X')).toBe('unset');
    expect(r.stderr).toContain('ignoring env.X');
  });
});
