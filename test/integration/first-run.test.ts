// The first minute: the first Go installed becomes the default (and says so), `install` with no version installs
// what the directory asks for, `default <spec>` offers to install, and `list` marks the default and the version
// active here (and why) for an exact and for a spec default, in text and JSON. Against a local signed mirror.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, runGoarm } from '../helpers/cli.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { ls, makeEnv, publish } from './install-fixture.js';

let mirror: Mirror;
let key: TestKey;
beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
  await Promise.all(['1.22.4', '1.22.5', '1.23.4'].map((v) => publish(mirror, key, v)));
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

const config = (home: string) => readFile(join(home, 'config.toml'), 'utf8');

describe('first run', () => {
  it('makes the first Go installed the default, says so, and only the first', async () => {
    const env = await makeEnv(mirror, [key]);
    const first = await env.run(['install', '1.22']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('goarm: go1.22.5 is now the default (the first Go installed)');
    expect(await config(env.home)).toMatch(/^default = "1\.22\.5"$/m);
    const second = await env.run(['install', '1.23.4']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('now the default');
    expect(await config(env.home)).toMatch(/^default = "1\.22\.5"$/m);
  });

  it('`install` with no version installs what the directory needs, and says when nothing does', async () => {
    const env = await makeEnv(mirror, [key]);
    const none = await env.run(['install']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: nothing here names a Go version, so name one to install \[E_USAGE\]$/m);
    await writeFile(join(env.home, '..', '.go-version'), '1.22.4\n');
    const project = { cwd: join(env.home, '..') };
    const r = await runGoarm(['install'], { home: env.home, ...project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`installing go1.22.4 (from ${join(env.home, '..', '.go-version')}:1)`);
    expect(await ls(join(env.home, 'versions'))).toEqual(['1.22.4']);
    const again = await runGoarm(['install'], { home: env.home, ...project });
    expect(again.stdout).toContain('go1.22.4 (from');
    expect(again.stdout).toContain('is already installed');
  });

  it('`default <spec>` for a version not installed: a note without a terminal, an install with --install', async () => {
    const env = await makeEnv(mirror, [key]);
    const note = await env.run(['default', '1.23']);
    expect(note.code).toBe(0);
    expect(note.stderr).toContain('no installed version matches 1.23; run: goarm default 1.23 --install');
    expect(await ls(join(env.home, 'versions'))).toEqual([]);
    const r = await env.run(['default', '1.22', '--install']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('installed go1.22.5');
    expect(r.stdout).toContain('default set to go 1.22');
    expect(await config(env.home)).toMatch(/^default = "1\.22"$/m);
  });
});

describe('list marks the default and the version active here', () => {
  it('for an exact and for a spec default, in text and JSON, with the reason', async () => {
    const env = await makeEnv(mirror, [key]);
    expect((await env.run(['install', '1.22.4', '1.22.5', '1.23.4'])).code).toBe(0); // default: 1.22.4 (first)
    const project = join(env.home, '..', 'proj');
    await mkdir(project);
    await writeFile(join(project, '.go-version'), '1.23\n');
    const list = (args: string[], cwd = env.parent) => runGoarm(['list', ...args], { home: env.home, cwd });

    expect((await list([])).stdout).toBe('  1.23.4\n  1.22.5\n* 1.22.4  (default; active here, the global default)\n');
    expect((await list([], project)).stdout).toBe(
      `  1.23.4  (active here, from ${join(project, '.go-version')}:1)\n  1.22.5\n* 1.22.4  (default)\n`,
    );
    expect((await env.run(['default', '1.22'])).code).toBe(0); // a spec: its newest installed 1.22.x
    expect((await list([])).stdout).toBe(
      '  1.23.4\n* 1.22.5  (default: 1.22; active here, the global default)\n  1.22.4\n',
    );
    const json = JSON.parse((await list(['--json'], project)).stdout) as Record<string, unknown>[];
    expect(json.map(({ name, default: d, active, why }) => ({ name, d, active, why }))).toEqual([
      { name: '1.23.4', d: false, active: true, why: `from ${join(project, '.go-version')}:1` },
      { name: '1.22.5', d: true, active: false, why: undefined },
      { name: '1.22.4', d: false, active: false, why: undefined },
    ]);
  });
});
