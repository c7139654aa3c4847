// What IDEs need (docs/ides.md), with a real Go 1.19 installed from a signed local mirror:
//   VS Code's Go extension with go.alternateTools = {"go": "<GOARM_HOME>/shims/go"} runs that shim from the
//   workspace folder with the PATH a GUI app has (no shims on it): the shim must still pick the project's Go.
//   GoLand takes a GOROOT path: `goarm current --root` must print a real, complete Go root.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm, tempHome } from '../helpers/cli.js';
import { writeKeyFile, writeTrustConfig } from '../helpers/keys.js';
import type { Mirror } from '../helpers/mirror.js';
import { type RealGo, realGoMirror } from '../helpers/realgo.js';

let go: RealGo;
let mirror: Mirror;
let home: string;
let project: string;
beforeAll(async () => {
  const m = await realGoMirror();
  [go, mirror] = [m.go, m.mirror];
  const base = await tempHome('goarm-ides-');
  home = join(base, 'home');
  project = join(base, 'workspace');
  const keyFiles = [await writeKeyFile(join(base, 'keys'), m.key)];
  await writeTrustConfig(home, { indexUrl: mirror.indexUrl, downloadBase: mirror.downloadBase, keyFiles });
  const r = await runGoarm(['install', go.version, '-q'], { home });
  expect(r.code, r.stderr).toBe(0);
  await mkdir(project);
  await writeFile(join(project, '.go-version'), `${go.version}\n`);
  await writeFile(join(project, 'go.mod'), 'module example.com/ide\n\ngo 1.19\n');
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

describe('IDEs', () => {
  it('VS Code (go.alternateTools): the shim, run from the workspace with a GUI PATH, picks its Go', async () => {
    // launchd's default PATH for GUI apps on macOS; no GOARM_HOME either: the shim has its home baked in.
    const r = spawnSync(join(home, 'shims', 'go'), ['env', 'GOROOT', 'GOVERSION'], {
      cwd: project,
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', HOME: join(home, '..') },
    });
    expect(r.stderr).toBe('');
    const root = await realpath(join(home, 'versions', go.version));
    expect(r.stdout).toBe(`${root}\ngo${go.version}\n`);
  });

  it('GoLand (a GOROOT path): `goarm current --root` is a complete Go root for this directory', async () => {
    const r = await runGoarm(['current', '--root'], { home, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const root = r.stdout.trim();
    expect(root).toBe(join(home, 'versions', go.version));
    expect((await readFile(join(root, 'VERSION'), 'utf8')).split('\n')[0]).toBe(`go${go.version}`);
    expect(await readFile(join(root, 'src', 'fmt', 'print.go'), 'utf8')).toContain('package fmt');
    const v = spawnSync(join(root, 'bin', 'go'), ['version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(v.stdout).toMatch(new RegExp(`^go version go${go.version.replaceAll('.', '\\.')} `));
  });
});
