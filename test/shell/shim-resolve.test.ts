// The go/gofmt shims in real shells (dash, bash, zsh, and run directly via #!/bin/sh): which Go they run, by the
// precedence of docs/design.md ("Which version applies"), and that the rendered shim is clean POSIX sh
// (shellcheck -s sh).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes } from '../helpers/cli.js';
import { field, HOWS, makeWorld, type World } from '../helpers/fakego.js';

// Each test starts real shells and Node several times: leave room for a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const INSTALLED = ['1.21.13', '1.22.5', '1.23.4', '1.24.1'];
// What the host pins GOARCH to when no .goarm.toml says `arch` (arm64 hosts only; this test does not simulate).
const HOST_PIN = process.arch === 'arm64' ? 'arm64' : 'unset';
const PROJECT_FILES = ['.goarm.toml', '.go-version', '.tool-versions', 'go.mod'];

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: INSTALLED, default: '1.22' });
  // The walk goes up to /: a stray project file above the temp tree would change every answer.
  for (let d = w.base; d !== dirname(d); d = dirname(d))
    for (const f of PROJECT_FILES)
      expect(existsSync(join(dirname(d), f)), `${join(dirname(d), f)} would leak into these tests`).toBe(false);
});
afterAll(cleanupTempHomes);

interface Case {
  name: string;
  files: Record<string, string>;
  cwd?: string;
  env?: Record<string, string>;
  want: string;
  GOARCH?: string;
  CGO_ENABLED?: string;
}
const MOD = (body: string) => `module example.com/m\n\n${body}`;

const CASES: Case[] = [
  {
    name: 'GOARM_VERSION beats every file',
    env: { GOARM_VERSION: '1.21.13' },
    files: { '.goarm.toml': 'go = "1.23"\n', '.go-version': '1.22\n', 'go.mod': MOD('go 1.21\ntoolchain go1.24.1\n') },
    want: '1.21.13',
  },
  {
    name: '.goarm.toml go beats .go-version, .tool-versions and go.mod',
    files: {
      '.goarm.toml': 'go = "1.23"\n',
      '.go-version': '1.22\n',
      '.tool-versions': 'golang 1.21.13\n',
      'go.mod': MOD('go 1.21\n\ntoolchain go1.24.1\n'),
    },
    want: '1.23.4',
  },
  {
    name: '.go-version beats .tool-versions and go.mod',
    files: {
      '.go-version': '# team version\n1.21.13\n',
      '.tool-versions': 'golang 1.23.4\n',
      'go.mod': MOD('go 1.21\ntoolchain go1.24.1\n'),
    },
    want: '1.21.13',
  },
  {
    name: '.tool-versions golang line beats go.mod',
    files: {
      '.tool-versions': 'nodejs 20.1.0\ngolang 1.23.4 1.22.5\n',
      'go.mod': MOD('go 1.21\ntoolchain go1.24.1\n'),
    },
    want: '1.23.4',
  },
  {
    name: 'go.mod toolchain is an exact pin',
    files: { 'go.mod': MOD('go 1.21\n\ntoolchain go1.24.1 // exact\n') },
    want: '1.24.1',
  },
  {
    name: 'go.mod go is a minimum: the global default when it satisfies it',
    files: { 'go.mod': MOD('go 1.21.0\n') },
    want: '1.22.5',
  },
  {
    name: 'go.mod go is a minimum: else the newest installed >= it',
    files: { 'go.mod': MOD('go 1.23.0\n') },
    want: '1.24.1',
  },
  { name: 'the global default when no file names a version', files: { README: 'nothing here\n' }, want: '1.22.5' },
  {
    name: 'nearest directory wins over a stronger kind of file farther up',
    files: { '.goarm.toml': 'go = "1.23"\n', 'sub/.tool-versions': 'go 1.21.13\n' },
    cwd: 'sub',
    want: '1.21.13',
  },
  {
    name: 'a file farther up applies in deep subdirectories',
    files: { '.go-version': '1.23\n', 'a/b/c/x.go': 'package c\n' },
    cwd: 'a/b/c',
    want: '1.23.4',
  },
  {
    name: 'a go.mod minimum does not hide a farther pin that satisfies it',
    files: { '.go-version': '1.23\n', 'mod/go.mod': MOD('go 1.21.0\n') },
    cwd: 'mod',
    want: '1.23.4',
  },
  {
    name: 'a farther pin below the go.mod minimum gives way to the default',
    files: { '.go-version': '1.21.13\n', 'mod/go.mod': MOD('go 1.22.0\n') },
    cwd: 'mod',
    want: '1.22.5',
  },
  {
    name: 'settings come from the nearest .goarm.toml while the version comes from a nearer .go-version',
    files: {
      '.goarm.toml': 'arch = "386"\n[cgo]\nenabled = true\n',
      'proj/.goarm.toml': 'arch = "arm64"\n\n[cgo]\nenabled = false\n',
      'proj/sub/.go-version': '1.21.13\n',
    },
    cwd: 'proj/sub',
    want: '1.21.13',
    GOARCH: 'arm64',
    CGO_ENABLED: '0',
  },
  {
    name: 'a nearer .goarm.toml without go gives the settings, a farther one the version',
    files: { '.goarm.toml': 'go = "1.23"\narch = "386"\n', 'sub/.goarm.toml': '[cgo]\nenabled = true\n' },
    cwd: 'sub',
    want: '1.23.4',
    GOARCH: HOST_PIN,
    CGO_ENABLED: '1',
  },
  {
    name: 'GOARM_VERSION keeps the settings of .goarm.toml',
    env: { GOARM_VERSION: '1.24.1' },
    files: { '.goarm.toml': 'go = "1.21"\narch = "arm64"\n' },
    want: '1.24.1',
    GOARCH: 'arm64',
  },
];

describe.each(CASES.map((c, i) => ({ ...c, i })))('precedence: $name', (c) => {
  let cwd: string;
  beforeAll(async () => {
    const root = await w.files(`case${c.i}`, c.files);
    cwd = c.cwd ? join(root, c.cwd) : root;
    await w.settle();
  });

  // Sequential on purpose: the first shell finds no cache (Node resolves), the others use the one it wrote.
  it.each(HOWS)('go under %s', async (how) => {
    const r = await w.shim(how, ['version'], { cwd, env: c.env });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^go=${c.want.replace(/\./g, '\\.')} args=version `));
    expect(field(lines[0], 'GOROOT')).toBe('unset');
    expect(field(lines[0], 'GOTOOLCHAIN')).toBe('local');
    expect(field(lines[0], 'GOARCH')).toBe(c.GOARCH ?? HOST_PIN);
    expect(field(lines[0], 'CGO_ENABLED')).toBe(c.CGO_ENABLED ?? 'unset');
    expect(r.stderr).toBe('');
  });

  it('gofmt and `goarm current --json` agree', async () => {
    const fmt = await w.shim('direct', ['-l', '.'], { cwd, env: c.env, tool: 'gofmt' });
    expect(fmt.code, fmt.stderr).toBe(0);
    expect(fmt.stdout).toMatch(new RegExp(`^gofmt=${c.want.replace(/\./g, '\\.')} args=-l \\. `));
    const cur = await w.goarm(['current', '--json'], { cwd, env: c.env });
    expect(cur.code, cur.stderr).toBe(0);
    expect(JSON.parse(cur.stdout)).toMatchObject({ version: c.want, installed: true });
  });
});

describe('the rendered shim', () => {
  const hasShellcheck = spawnSync('sh', ['-c', 'command -v shellcheck']).status === 0;
  it.skipIf(!hasShellcheck).each(['go', 'gofmt'])('%s passes shellcheck -s sh', (tool) => {
    const r = spawnSync('shellcheck', ['-s', 'sh', w.shimPath(tool)], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs from a directory whose name is hostile shell text, and keeps the name verbatim', async () => {
    const marker = join(w.base, 'pwned-dirname');
    const name = `it's $(touch ${marker}) \`touch ${marker}\`; x`;
    const cwd = await w.files(name, { '.go-version': '1.23\n' });
    for (const how of HOWS) {
      const r = await w.shim(how, ['version'], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^go=1\.23\.4 args=version /);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(w.home, 'cache', 'resolve', cwd, '.goarm-shim-cache'))).toBe(true);
  });
});
