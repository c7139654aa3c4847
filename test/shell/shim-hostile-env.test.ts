// A hostile environment around the shims (issue 11, items 4, 5 and 10): an inherited PWD that lies, project files
// that are not regular files or hold secrets, NUL in a trusted [env] value, and a GOARM_HOME that is a file,
// read-only or full. Each case asserts the exit code, the message, and that nothing was read, run or written
// where it must not be.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, REPO_ROOT, runNode, tempHome } from '../helpers/cli.js';
import { HOWS, makeWorld, runShell, shellsAvailable, type World } from '../helpers/fakego.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5', '1.23.4'], default: '1.23' });
});
afterAll(cleanupTempHomes);

/** Every .goarm-shim-cache under dir (recursively). */
async function caches(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.name === '.goarm-shim-cache') out.push(join(e.parentPath, e.name));
  return out;
}

describe('an inherited PWD', () => {
  // A cloned repo carrying its own ".goarm-shim-cache" (shell code) and a cache-shaped tree: with the old shim, a PWD
  // of <home>/cache/resolve/../../../repo/x made the shim source <repo>/.goarm-shim-cache.
  let repo: string;
  let marker: string;
  let evil: string;
  beforeAll(async () => {
    marker = join(w.base, 'repo-code-ran');
    repo = await w.files('repo', { '.go-version': '1.22\n' });
    evil = `touch '${marker}'\n_goarm_fresh=1 _goarm_root=/nonexistent\n`;
    await writeFile(join(repo, '.goarm-shim-cache'), evil);
    await mkdir(join(repo, 'sub', 'x'), { recursive: true });
    await writeFile(join(repo, 'sub', 'x', '.goarm-shim-cache'), evil);
  });

  // PWDs that name the repo (so dash and bash keep them) but would climb out of cache/resolve when appended to it:
  // <home>/cache/resolve<repo>/sub/../..(enough)/<repo> is <repo>. It needs cache/resolve<repo>/sub to exist, which
  // one ordinary go call in <repo>/sub makes.
  const lies = () => {
    const depth = (p: string) => p.split('/').filter(Boolean).length;
    const climb = '/..'.repeat(depth(join(repo, 'sub')) + depth(join(w.home, 'cache', 'resolve')));
    return [
      `${repo}/sub${climb}${repo}`,
      `${repo}/sub/x/../..`,
      `${repo}/./`,
      `${repo}//`,
      join(w.base, 'elsewhere'), // another directory
      'relative/path',
    ];
  };

  it('never sources or writes a cache outside GOARM_HOME/cache/resolve, under every shell', async () => {
    await mkdir(join(w.base, 'elsewhere'), { recursive: true });
    const first = await w.shim('dash', ['version'], { cwd: join(repo, 'sub') });
    expect(first.code, first.stderr).toBe(0);
    for (const how of HOWS)
      for (const PWD of lies()) {
        const r = await w.shim(how, ['version'], { cwd: repo, env: { PWD } });
        expect(r.code, `${how} PWD=${PWD}: ${r.stderr}`).toBe(0);
        expect(r.stdout, `${how} PWD=${PWD}`).toMatch(/^go=1\.22\.5 args=version /); // the real directory's pin
      }
    expect(existsSync(marker)).toBe(false);
    // The only caches written are the real directories', inside the home; the repo's own files are untouched.
    const resolve = join(w.home, 'cache', 'resolve');
    expect((await caches(resolve)).sort()).toEqual([
      join(resolve, repo, '.goarm-shim-cache'),
      join(resolve, repo, 'sub', '.goarm-shim-cache'),
    ]);
    for (const f of [join(repo, '.goarm-shim-cache'), join(repo, 'sub', 'x', '.goarm-shim-cache')])
      expect(await readFile(f, 'utf8')).toBe(evil);
  });

  it('the light entry refuses a directory that is not absolute and normal (E_CWD, exit 8)', async () => {
    const entry = join(REPO_ROOT, 'dist', 'shim-entry.js');
    for (const dir of [`${repo}/sub/x/../..`, `${repo}/./sub`, 'repo', `${repo}/`, `${repo}//sub`]) {
      for (const cmd of ['shim-resolve', 'hook-resolve']) {
        const r = await runNode(entry, [cmd, dir], { home: w.home, cwd: repo });
        expect(r.code, `${cmd} ${dir}: ${r.stderr}`).toBe(8);
        expect(r.stderr).toMatch(/which is not an absolute, normal path \[E_CWD\]/);
      }
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('version files that are not what they seem', () => {
  const SECRET = 'ghp_s3cr3tTOKENvalue0123456789';
  const secretEnv = { GITHUB_TOKEN: SECRET };
  const noSecret = (r: { stdout: string; stderr: string }) => expect(r.stdout + r.stderr).not.toContain(SECRET);

  it('a symlink to /proc/self/environ is refused unread (E_CONFIG, 3) by shims and `current`', async () => {
    for (const name of ['.go-version', '.tool-versions', 'go.mod', '.goarm.toml']) {
      const cwd = await w.files(`environ-${name}`, {});
      await symlink('/proc/self/environ', join(cwd, name));
      for (const how of HOWS) {
        const r = await w.shim(how, ['version'], { cwd, env: secretEnv });
        expect(r.code, `${name} ${how}: ${r.stderr}`).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`${join(cwd, name)} holds more than its size says`);
        expect(r.stderr).toContain('[E_CONFIG]');
        noSecret(r);
      }
      const cur = await w.goarm(['current'], { cwd, env: secretEnv });
      expect(cur.code).toBe(3);
      noSecret(cur);
    }
  });

  it('a FIFO never hangs the shim (E_CONFIG, exit 3); a huge file is refused unread', async () => {
    const cwd = await w.files('fifo', {});
    execFileSync('mkfifo', [join(cwd, '.go-version')]);
    for (const how of HOWS) {
      const r = await w.shim(how, ['version'], { cwd }); // runShell kills after 60 s: a hang fails the test
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`${join(cwd, '.go-version')} is not a regular file`);
    }
    const big = await w.files('big', { 'go.mod': `module m\n\ngo 1.22\n${'// padding\n'.repeat(200_000)}` });
    const r = await w.shim('dash', ['version'], { cwd: big });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(
      /go\.mod is \d+ bytes; goarm reads project files only when they are regular files up to 1 MiB/,
    );
  });

  it('an invalid value is shown shortened and escaped, never in full', async () => {
    const long = `1.22-${SECRET}-${'x'.repeat(80)}`;
    const cwd = await w.files('long', { '.go-version': `${long}\n` });
    const r = await w.shim('dash', ['version'], { cwd });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`invalid Go version ${JSON.stringify(long.slice(0, 24))}… (${long.length} characters)`);
    noSecret(r);
    const ctl = await w.files('control', { '.go-version': `1.22\x1b]0;pwned\x07${SECRET}\n` });
    const c = await w.shim('bash', ['version'], { cwd: ctl });
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/invalid Go version \(\d+ characters, some not printable; not shown\)/);
    expect(c.stderr).not.toContain('\x1b');
    noSecret(c);
  });
});

describe('NUL in a trusted [env] value', () => {
  it('is a clear E_CONFIG at resolve time (exit 3), for the shims, `current` and `exec`', async () => {
    const cwd = await w.files('nul', { '.goarm.toml': 'go = "1.22"\n[env]\nFOO = "a\\u0000b"\n' });
    // `goarm trust` refuses a file that does not validate; the error is the same everywhere.
    for (const args of [['trust'], ['current'], ['exec', '--', 'go', 'version']]) {
      const r = await w.goarm(args, { cwd });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`${join(cwd, '.goarm.toml')}:3:7: env.FOO contains a NUL character`);
      expect(r.stderr).not.toMatch(/internal error/);
    }
    for (const how of HOWS) {
      const r = await w.shim(how, ['version'], { cwd });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('env.FOO contains a NUL character');
    }
  });
});

describe('a GOARM_HOME that is misplaced, unreadable, read-only or full', () => {
  it('a regular file as GOARM_HOME (or on its way): E_HOME, exit 8, for every command', async () => {
    const file = join(await tempHome('goarm-homefile-'), 'home');
    await writeFile(file, 'not a directory\n');
    for (const home of [file, join(file, 'sub')])
      for (const args of [['list'], ['current'], ['install', '1.23'], ['doctor'], ['use', '--shell', 'bash']]) {
        const r = await w.goarm(args, { env: { GOARM_HOME: home } });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(8);
        expect(r.stderr).toContain(`error: GOARM_HOME (${home}) is not a directory [E_HOME]`);
      }
  });

  it('`goarm list` never says "no Go versions installed" when it could not read versions/', async () => {
    const home = join(await tempHome('goarm-noversions-'), 'home');
    await mkdir(home);
    expect((await w.goarm(['list'], { env: { GOARM_HOME: home } })).stdout).toMatch(/no Go versions installed/);
    await writeFile(join(home, 'versions'), '');
    for (const args of [['list'], ['list', '--json']]) {
      const r = await w.goarm(args, { env: { GOARM_HOME: home } });
      expect(r.code, r.stderr).toBe(8);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`reading ${join(home, 'versions')} failed`);
      expect(r.stderr).toContain('[E_FS]');
    }
  });

  // Read-only and full filesystems are real: a tmpfs mounted over the home (root, as in CI). Without root the
  // read-only case falls back to permission bits and the full-disk case cannot be built.
  const root = process.getuid?.() === 0;
  const mounted: string[] = [];
  afterEach(async () => {
    for (const m of mounted.splice(0)) spawnSync('umount', [m]);
  });
  /** Puts a copy of the world's home on a fresh tmpfs mounted at the same path. */
  async function homeOnTmpfs(world: World, size: string): Promise<void> {
    const copy = join(world.base, 'home-copy');
    await cp(world.home, copy, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', world.home]);
    mounted.push(world.home);
    await cp(copy, world.home, { recursive: true });
  }

  it.skipIf(!root && !process.env.CI)('a read-only GOARM_HOME: the shim fails with E_PERMISSION, exit 8', async () => {
    const ro = await makeWorld({ versions: ['1.23.4'], default: '1.23' });
    const cwd = await ro.files('p', { '.go-version': '1.23\n' });
    if (root) {
      await homeOnTmpfs(ro, '4m');
      execFileSync('mount', ['-o', 'remount,ro', ro.home]);
    } else execFileSync('chmod', ['-R', 'a-w', join(ro.home, 'cache')]);
    for (const how of HOWS) {
      const r = await ro.shim(how, ['version'], { cwd });
      expect(r.code, `${how}: ${r.stderr}`).toBe(8);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: permission denied while writing .*\.goarm-shim-cache.* \[E_PERMISSION\]$/m);
      expect(r.stderr).not.toMatch(/internal error|this is a bug/);
    }
    const list = await ro.goarm(['list']);
    expect(list.code, list.stderr).toBe(0); // reading still works
    expect(list.stdout.trim()).toBe('* 1.23.4  (default: 1.23; active here, the global default)');
  });

  it('an unreadable cache directory: E_PERMISSION, exit 8 (as root: the shim runs as nobody)', async () => {
    const ur = await makeWorld({ versions: ['1.23.4'], default: '1.23' });
    const cwd = await ur.files('p', { '.go-version': '1.23\n' });
    execFileSync('chmod', ['-R', 'a+rX', ur.base]); // nobody may reach the shims, the project and the versions
    execFileSync('chmod', ['000', join(ur.home, 'cache', 'resolve')]);
    const nobody = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    for (const sh of ['dash', 'bash']) {
      const r = await runShell([...nobody, sh, ur.shimPath('go'), 'version'], { cwd, env: { HOME: cwd } });
      expect(r.code, `${sh}: ${r.stderr}`).toBe(8);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^error: permission denied while writing .*\.goarm-shim-cache.*EACCES.* \[E_PERMISSION\]$/m,
      );
    }
    execFileSync('chmod', ['755', join(ur.home, 'cache', 'resolve')]);
  });

  it.skipIf(!root && !process.env.CI)(
    'a full disk while caching: E_DISK_FULL, exit 8, nothing half-written',
    async () => {
      expect(root, 'the full-disk case needs root to mount a small tmpfs').toBe(true);
      const full = await makeWorld({ versions: ['1.23.4'], default: '1.23' });
      const cwd = await full.files('p', { '.go-version': '1.23\n' });
      await homeOnTmpfs(full, '1m');
      spawnSync('sh', ['-c', `head -c 4M /dev/zero > '${join(full.home, 'filler')}'`]); // fills it; ENOSPC expected
      for (const how of HOWS) {
        const r = await full.shim(how, ['version'], { cwd });
        expect(r.code, `${how}: ${r.stderr}`).toBe(8);
        expect(r.stderr).toMatch(/no space left on device .*\[E_DISK_FULL\]/);
      }
      const left = (await readdir(join(full.home, 'cache', 'resolve'), { recursive: true })).filter((n) =>
        n.endsWith('.tmp'),
      );
      expect(left).toEqual([]);
      await rm(join(full.home, 'filler'));
      const r = await full.shim('dash', ['version'], { cwd });
      expect([r.code, r.stdout.split(' ')[0]]).toEqual([0, 'go=1.23.4']);
    },
  );

  it.skipIf(!shellsAvailable.includes('dash'))('a removed working directory: E_CWD, exit 8, no Node', async () => {
    const gone = await w.files('gone', {});
    const r = await runShell(['dash', '-c', `cd '${gone}' && rmdir '${gone}' && exec '${w.shimPath('go')}' version`], {
      cwd: w.base,
    });
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toContain('cannot tell which directory this is (was it removed?) [E_CWD]');
  });
});
