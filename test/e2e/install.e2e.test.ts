// End to end: `goarm install 1.19` of a real, full-size Go toolchain (Debian's golang-1.19-go repacked in the
// official tarball layout) from a signed local mirror, then the installed `go` itself is run.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { list } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { goArchiveName } from '../helpers/gotree.js';
import { type TestKey, writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror } from '../helpers/mirror.js';
import { type RealGo, realGoMirror } from '../helpers/realgo.js';

const run = promisify(execFile);

/** The environment a user's shell might have, minus anything Go-related that would steer `go`. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GO|CGO_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, GOTOOLCHAIN: 'local' };
}

describe('goarm install with a real Go release', () => {
  let go: RealGo;
  let mirror: Mirror;
  let home: string;
  let root: string;
  let userHome: string;

  beforeAll(async () => {
    let key: TestKey;
    ({ go, mirror, key } = await realGoMirror());
    home = await tempHome('goarm-e2e-home-');
    userHome = await tempHome('goarm-e2e-user-');
    const keyFile = await writeKeyFile(await tempHome('goarm-e2e-keys-'), key);
    await writeTrustConfig(home, { indexUrl: mirror.indexUrl, downloadBase: mirror.downloadBase, keyFiles: [keyFile] });
    root = join(home, 'versions', go.version);
  });

  afterAll(async () => {
    await mirror?.close();
    await cleanupTempHomes();
  });

  it('repacks golang-1.19-go as an official release tarball', async () => {
    expect(go.filename).toBe(goArchiveName(go.version, go.os, go.arch));
    expect(go.version).toMatch(/^1\.19\.\d+$/);
    const body = await readFile(go.path);
    expect(body.length).toBe(go.size);
    expect(createHash('sha256').update(body).digest('hex')).toBe(go.sha256);
    const types = new Map<string, string>();
    await list({ file: go.path, onReadEntry: (e) => void types.set(e.path.replace(/\/$/, ''), e.type) });
    for (const member of [
      'go/VERSION',
      'go/bin/go',
      'go/bin/gofmt',
      'go/src/runtime/runtime.go',
      'go/pkg/include/funcdata.h',
    ])
      expect(types.get(member), member).toBe('File');
    expect([...types.keys()].filter((n) => n !== 'go' && !n.startsWith('go/'))).toEqual([]);
    // Official tarballs have no links: Debian's (src -> ../../share/go-1.19/src, ...) must be dereferenced.
    expect([...types].filter(([, t]) => t !== 'File' && t !== 'Directory')).toEqual([]);
  });

  it('installs 1.19 from the signed mirror', async () => {
    const r = await runGoarm(['install', '1.19'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`go${go.version}`);
    expect((await readFile(join(root, 'VERSION'), 'utf8')).split('\n')[0]).toBe(`go${go.version}`);
    expect(mirror.bytesServed(go.filename)).toBe(go.size);
    expect(mirror.requests.some((q) => q.path.endsWith(`${go.filename}.asc`))).toBe(true);
    expect(await readdir(join(home, 'staging')).catch(() => [])).toEqual([]);
  });

  it('runs the installed go: `go version`', async () => {
    const { stdout } = await run(join(root, 'bin', 'go'), ['version'], { env: cleanEnv(userHome) });
    expect(stdout.trim()).toBe(`go version go${go.version} ${go.os}/${go.arch}`);
  });

  it('finds its own root: `go env GOROOT` with GOROOT unset is the versioned root', async () => {
    const cwd = await tempHome('goarm-e2e-cwd-'); // outside any Go module or GOROOT
    const env = cleanEnv(userHome);
    expect(env.GOROOT).toBeUndefined();
    const { stdout } = await run(join(root, 'bin', 'go'), ['env', 'GOROOT'], { env, cwd });
    expect(await realpath(stdout.trim())).toBe(await realpath(root));
  });

  it('a second install reuses the installed version and downloads nothing', async () => {
    const before = mirror.bytesServed(go.filename);
    const r = await runGoarm(['install', '1.19'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('already installed');
    expect(mirror.bytesServed(go.filename)).toBe(before);
  });
});
