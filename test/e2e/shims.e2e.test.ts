// End to end through the shims: a real Go 1.19 (Debian's golang-1.19-go repacked as an official tarball) is
// installed from a signed local mirror, then `go` and `gofmt` are run the way a user runs them: found on PATH
// in $GOARM_HOME/shims, from a project directory, with no GOROOT and no network (GOPROXY=off).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianGoRoot } from '../../bench/realgo.mjs';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { type TestKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror } from '../helpers/mirror.js';
import { type RealGo, realGoMirror } from '../helpers/realgo.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Result> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code, signal) => ok({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** Program header types of a 64-bit little-endian ELF file (PT_LOAD = 1, PT_INTERP = 3). */
async function programHeaderTypes(file: string): Promise<number[]> {
  const b = await readFile(file);
  expect(b.subarray(0, 6)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1])); // \x7fELF, ELFCLASS64, LSB
  const phoff = Number(b.readBigUInt64LE(0x20));
  const [entsize, count] = [b.readUInt16LE(0x36), b.readUInt16LE(0x38)];
  return Array.from({ length: count }, (_, i) => b.readUInt32LE(phoff + i * entsize));
}
const PT_LOAD = 1;
const PT_INTERP = 3;

// The developer's shell must not steer go or the C compiler; the proxies are irrelevant offline.
const SCRUB = /^(GO|CGO_)|^(CC|CXX|CFLAGS|LDFLAGS|XDG_CONFIG_HOME|https?_proxy|all_proxy|no_proxy)$/i;

// Imports net, whose resolver links libc when cgo is on: only CGO_ENABLED=0 makes this binary static.
const HELLO =
  'package main\n\nimport (\n\t"fmt"\n\t"net"\n)\n\n' +
  'func main() { fmt.Println("hello from goarm", net.IPv4(127, 0, 0, 1)) }\n';
// Prints the environment the go command itself received (`go run` hands its own environment to the program).
const PROBE = `package main

import (
\t"fmt"
\t"os"
)

func main() {
\tfor _, k := range []string{"GOROOT", "GOTOOLCHAIN", "CGO_ENABLED"} {
\t\tv, ok := os.LookupEnv(k)
\t\tfmt.Printf("%s=%v:%s\\n", k, ok, v)
\t}
}
`;
const CGO = `package main

/*
static int answer(void) { return 6 * 7; }
*/
import "C"

import "fmt"

func main() { fmt.Println("C says", int(C.answer())) }
`;

describe('the go and gofmt shims with a real Go 1.19', () => {
  let go: RealGo;
  let mirror: Mirror;
  let home: string;
  let root: string;
  let shims: string;
  let user: string;
  let projects: string;

  beforeAll(async () => {
    let key: TestKey;
    ({ go, mirror, key } = await realGoMirror());
    // Real paths: the go binary reports its root from /proc/self/exe, which has every symlink resolved.
    home = await realpath(await tempHome('goarm-e2e-shims-home-'));
    user = await realpath(await tempHome('goarm-e2e-shims-user-'));
    projects = await realpath(await tempHome('goarm-e2e-shims-proj-'));
    const keyFile = await writeKeyFile(await tempHome('goarm-e2e-shims-keys-'), key);
    await writeTrustConfig(home, { indexUrl: mirror.indexUrl, downloadBase: mirror.downloadBase, keyFiles: [keyFile] });
    const r = await runGoarm(['install', '1.19'], { home });
    expect(r.code, r.stderr).toBe(0);
    root = join(home, 'versions', go.version);
    shims = join(home, 'shims');
  });

  afterAll(async () => {
    await mirror?.close();
    await cleanupTempHomes();
  });

  /** A user's environment: the shims first on PATH, GOROOT unset, Go's caches in temp dirs, no module proxy. */
  function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!SCRUB.test(k) && !k.startsWith('GOARM_')) env[k] = v;
    return {
      ...env,
      PATH: `${shims}:${process.env.PATH}`,
      HOME: user,
      GOCACHE: join(user, 'gocache'),
      GOPATH: join(user, 'gopath'),
      GOPROXY: 'off',
      GOSUMDB: 'off',
      NO_COLOR: '1',
      ...extra,
    };
  }
  /** Runs `tool` found on PATH (so the shim) in `cwd`, with $PWD as a shell would set it. */
  const shim = (tool: 'go' | 'gofmt', args: string[], cwd: string, extra: Record<string, string> = {}) =>
    run(tool, args, { cwd, env: userEnv({ PWD: cwd, ...extra }) });

  async function project(name: string, files: Record<string, string>): Promise<string> {
    const dir = join(projects, name);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    return dir;
  }

  it('puts the shims first on PATH', async () => {
    const dir = await project('which', { '.goarm.toml': 'go = "1.19"\n' });
    const r = await run('sh', ['-c', 'command -v go; command -v gofmt'], { cwd: dir, env: userEnv({ PWD: dir }) });
    expect(r.stdout).toBe(`${shims}/go\n${shims}/gofmt\n`);
    const v = await shim('go', ['version'], dir);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(`go version go${go.version} ${go.os}/${go.arch}\n`);
    expect(existsSync(join(home, 'cache', 'resolve' + dir, '.goarm-shim-cache'))).toBe(true);
  });

  it('cgo disabled: `go build` makes a static binary that runs', async () => {
    const dir = await project('static', {
      '.goarm.toml': 'go = "1.19"\n\n[cgo]\nenabled = false\n',
      'go.mod': 'module example.com/hello\n\ngo 1.19\n',
      'main.go': HELLO,
      'probe/main.go': PROBE,
    });
    const b = await shim('go', ['build', '-o', 'hello', '.'], dir);
    expect(b.code, b.stderr).toBe(0);
    const out = await run(join(dir, 'hello'), [], { cwd: dir, env: userEnv() });
    expect(out.stdout).toBe('hello from goarm 127.0.0.1\n');
    const types = await programHeaderTypes(join(dir, 'hello'));
    expect(types).toContain(PT_LOAD);
    expect(types).not.toContain(PT_INTERP);
    expect((await shim('go', ['env', 'CGO_ENABLED'], dir)).stdout).toBe('0\n');
    expect((await shim('go', ['version', '-m', 'hello'], dir)).stdout).toMatch(/\bCGO_ENABLED=0\n/);
    const probe = await shim('go', ['run', './probe'], dir);
    expect(probe.stdout, probe.stderr).toBe('GOROOT=false:\nGOTOOLCHAIN=true:local\nCGO_ENABLED=true:0\n');
  });

  it('cgo enabled: a C function is compiled in, and the binary is dynamically linked', async () => {
    const dir = await project('cgo', {
      '.goarm.toml': 'go = "1.19"\n\n[cgo]\nenabled = true\n',
      'go.mod': 'module example.com/cgo\n\ngo 1.19\n',
      'main.go': CGO,
    });
    const b = await shim('go', ['build', '-o', 'cgohello', '.'], dir);
    expect(b.code, b.stderr).toBe(0);
    const out = await run(join(dir, 'cgohello'), [], { cwd: dir, env: userEnv() });
    expect(out.stdout).toBe('C says 42\n');
    expect(await programHeaderTypes(join(dir, 'cgohello'))).toContain(PT_INTERP);
    expect((await shim('go', ['env', 'CGO_ENABLED'], dir)).stdout).toBe('1\n');
    expect((await shim('go', ['version', '-m', 'cgohello'], dir)).stdout).toMatch(/\bCGO_ENABLED=1\n/);
  });

  it('go.mod `toolchain go1.99.0`: refuses with "not installed", exit 4, downloads nothing', async () => {
    const dir = await project('toolchain', {
      'go.mod': 'module example.com/tc\n\ngo 1.19\n\ntoolchain go1.99.0\n',
      'main.go': HELLO,
    });
    const requests = mirror.requests.length;
    for (let i = 0; i < 2; i++) {
      // the first call resolves, the second uses the cached verdict
      const r = await shim('go', ['build', '.'], dir, { GOTOOLCHAIN: 'auto' });
      expect(r.code, r.stderr).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`goarm: go1.99.0 (from ${dir}/go.mod:5) is not installed; run: goarm install 1.99.0\n`);
    }
    expect(mirror.requests.length).toBe(requests);
    expect(existsSync(join(home, 'versions', '1.99.0'))).toBe(false);
    expect(existsSync(join(user, 'gopath', 'pkg', 'mod', 'golang.org', 'toolchain'))).toBe(false);
  });

  it('GOROOT: the versioned root, even when the caller exported another one; GOTOOLCHAIN=local', async () => {
    const dir = await project('goroot', {
      '.goarm.toml': 'go = "1.19"\n',
      'go.mod': 'module example.com/probe\n\ngo 1.19\n',
      'main.go': PROBE,
    });
    const other = debianGoRoot();
    // Control: the real go obeys an inherited GOROOT, so removing it is what the shim must do.
    const direct = await run(join(root, 'bin', 'go'), ['env', 'GOROOT'], {
      cwd: dir,
      env: userEnv({ PWD: dir, GOROOT: other }),
    });
    expect(direct.stdout).toBe(`${other}\n`);
    const callers: Record<string, string>[] = [{}, { GOROOT: other, GOTOOLCHAIN: 'auto' }];
    for (const extra of callers) {
      const env = await shim('go', ['env', 'GOROOT'], dir, extra);
      expect(env.stdout, env.stderr).toBe(`${root}\n`);
      // Go 1.19 predates GOTOOLCHAIN (`go env GOTOOLCHAIN` prints ""), so read the go process's own environment.
      const probe = await shim('go', ['run', '.'], dir, extra);
      expect(probe.stdout, probe.stderr).toBe('GOROOT=false:\nGOTOOLCHAIN=true:local\nCGO_ENABLED=false:\n');
    }
  });

  it('gofmt -l through the gofmt shim lists the badly formatted file', async () => {
    const bad = 'package main\nfunc main(){\nx:=1\n_=x}\n';
    const dir = await project('fmt', { '.goarm.toml': 'go = "1.19"\n', 'bad.go': bad, 'good.go': HELLO });
    const r = await shim('gofmt', ['-l', '.'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('bad.go\n');
    const fixed = await shim('gofmt', ['bad.go'], dir);
    expect(fixed.stdout).toBe('package main\n\nfunc main() {\n\tx := 1\n\t_ = x\n}\n');
    expect(await readFile(join(dir, 'bad.go'), 'utf8')).toBe(bad);
  });
});
