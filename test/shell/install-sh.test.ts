// install.sh run from a goarm checkout: packs it (prepack builds), unpacks the package into $GOARM_HOME/lib (so the
// checkout may move), lets it render the launcher, shims and init files, and adds the rc line only when asked
// (flag or a "y" on a terminal), once. Real shells then load that rc line. The checkout is a copy of this tree
// without dist/; its node_modules is a hard-linked copy of ours (`npm ci` needs the network; npm bundles only the
// top level of a symlinked node_modules). Piped into sh it never takes the current directory for a checkout.
// The registry install itself is in test/e2e/distribution.e2e.test.ts (a real verdaccio).
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempHomes, REPO_ROOT, type RunResult, tempHome } from '../helpers/cli.js';
import { fakeBin, fakeGoRoot, runShell } from '../helpers/fakego.js';
import { type Shell, Term } from './use-helpers.js';

afterAll(cleanupTempHomes);
const terms: Term[] = [];
afterEach(async () => {
  await Promise.all(terms.splice(0).map((t) => t.close()));
});

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
const PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;

/**
 * A checkout like a fresh clone: sources only, no dist/; node_modules linked (see above)
 * unless `withModules` is false.
 */
async function checkout(withModules = true): Promise<string> {
  const dir = join(await tempHome('goarm-clone-'), 'goarm');
  await mkdir(dir);
  for (const f of ['src', 'scripts', 'shims', 'keys', 'bin', 'native', 'binding.gyp', 'LICENSE', 'README.md'])
    await cp(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'install.sh'])
    await cp(join(REPO_ROOT, f), join(dir, f));
  if (withModules) {
    const r = spawnSync(
      'sh',
      ['-c', `cp -al '${REPO_ROOT}/node_modules' node_modules || cp -R '${REPO_ROOT}/node_modules' node_modules`],
      { cwd: dir },
    );
    expect(r.status).toBe(0);
  }
  return dir;
}

function install(dir: string, args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return runShell([join(dir, 'install.sh'), ...args], {
    cwd: dir,
    env: { PATH, SHELL: '/bin/bash', ZDOTDIR: undefined, XDG_CONFIG_HOME: undefined, ...env },
    timeoutMs: 240_000, // packing builds the checkout (tsc): slow on a loaded machine
  });
}

describe('install.sh from a clean checkout', () => {
  let home: string;
  let moved: string;
  let first: RunResult;
  beforeAll(async () => {
    const dir = await checkout();
    home = await tempHome('goarm-install-home-');
    first = await install(dir, [], { HOME: home });
    // The checkout moves away: the installed goarm must not need it.
    moved = join(dirname(dir), 'moved');
    await rename(dir, moved);
  }, 300_000);

  it('packs, installs into ~/.goarm and prints (but does not add) the rc line when not asked', async () => {
    expect(first.stderr).toContain(`packing ${dirname(moved)}/goarm`);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`goarm 0.1.0 installed in ${home}/.goarm`);
    expect(first.stdout).toContain(
      `To finish, add this line to ${home}/.bashrc, then open a new shell:\n  eval "$("$HOME/.goarm/bin/goarm" use)"`,
    );
    expect(await exists(join(home, '.bashrc'))).toBe(false);
    for (const f of [
      'lib/dist/cli.js',
      'lib/dist/shim-entry.js',
      'lib/shims/init.bash',
      'lib/keys',
      'lib/package.json',
      'lib/node_modules/yargs',
      'lib/node_modules/openpgp',
      'lib/node_modules/cliui',
      'lib/bin/goarm',
      'bin/goarm',
      'shims/go',
      'shims/gofmt',
      'init/init.bash',
      'init/init.zsh',
      'init/init.fish',
    ])
      expect({ [f]: await exists(join(home, '.goarm', f)) }).toEqual({ [f]: true });
    // Production dependencies only.
    for (const dev of ['typescript', 'vitest'])
      expect(await exists(join(home, '.goarm', 'lib', 'node_modules', dev))).toBe(false);
    expect((await readdir(join(home, '.goarm'))).filter((n) => n.startsWith('lib.'))).toEqual([]);
  });

  it('runs from ~/.goarm/bin/goarm after the checkout moved; the shims run that launcher, not a Node', async () => {
    const goarm = join(home, '.goarm', 'bin', 'goarm');
    expect(await runShell([goarm, '--version'], { cwd: home, env: { PATH, HOME: home } })).toMatchObject({
      code: 0,
      stdout: '0.1.0\n',
    });
    expect(await runShell([goarm, 'list'], { cwd: home, env: { PATH, HOME: home } })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('no Go versions installed'),
    });
    const shim = await readFile(join(home, '.goarm', 'shims', 'go'), 'utf8');
    expect(shim).toContain('"$_goarm_home/bin/goarm" _light shim-resolve');
    expect(shim).not.toContain(process.execPath);
    expect(await readFile(join(home, '.goarm', 'bin', 'goarm'), 'utf8')).toContain(`_goarm_pkg='${home}/.goarm/lib'`);
  });

  it('--modify-rc adds the line once, and real bash, zsh and fish load goarm from it', {
    timeout: 300_000,
  }, async () => {
    await fakeGoRoot(join(home, '.goarm'), '1.22.5');
    await writeFile(join(home, '.goarm', 'config.toml'), 'default = "1.22"\n');
    const project = join(home, 'project');
    await mkdir(project);
    await writeFile(join(project, '.goarm.toml'), 'go = "1.22"\n');
    const rcOf: Record<Shell, string> = {
      bash: join(home, '.bashrc'),
      zsh: join(home, '.zshrc'),
      fish: join(home, '.config', 'fish', 'config.fish'),
    };
    // A full run for bash (the shell from $SHELL); zsh and fish through the same function, sourced (each full
    // run packs the checkout again). Re-running the whole installer is in test/e2e/distribution.e2e.test.ts.
    const a = await install(moved, ['--modify-rc'], { HOME: home, SHELL: '/usr/bin/bash' });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain(`added to ${rcOf.bash}`);
    const addLine = (sh: Shell) =>
      runShell(
        [
          'sh',
          '-c',
          `GOARM_INSTALL_SOURCED=1 . '${join(moved, 'install.sh')}'; ` +
            `goarm_add_rc_line "$(goarm_rc_file ${sh})" "$(goarm_rc_line ${sh} "$HOME/.goarm")"`,
        ],
        { cwd: home, env: { HOME: home, PATH, ZDOTDIR: undefined, XDG_CONFIG_HOME: undefined } },
      );
    for (const sh of ['bash', 'zsh', 'fish'] as const) {
      if (sh !== 'bash') expect((await addLine(sh)).stdout).toContain(`added to ${rcOf[sh]}`);
      expect((await addLine(sh)).stdout).toContain(`${rcOf[sh]} already loads goarm`);
      const rc = await readFile(rcOf[sh], 'utf8');
      const line = sh === 'fish' ? '~/.goarm/bin/goarm use | source' : 'eval "$("$HOME/.goarm/bin/goarm" use)"';
      expect(rc.split('\n').filter((l) => l === line)).toHaveLength(1);

      const t = await Term.start(sh, { home, rc, env: { HOME: home }, cwd: project });
      terms.push(t);
      expect(await t.run('go version')).toMatch(/go=1\.22\.5 /);
      expect(await t.run('goarm --version')).toMatch(/^0\.1\.0$/m);
      const path = /P=(\/\S*)/
        .exec(await t.run(sh === 'fish' ? 'echo P=(string join : $PATH)' : 'echo "P=$PATH"'))![1]
        .split(':');
      expect(path.slice(0, 2)).toEqual([join(home, '.goarm', 'shims'), join(home, '.goarm', 'bin')]);
      await t.close();
    }
  });

  it('asks on a terminal and adds the line on "y"', { timeout: 180_000 }, async () => {
    const home2 = await tempHome('goarm-install-tty-');
    const elsewhere = await tempHome('goarm-install-tty-gh-');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH, HOME: home2, SHELL: '/usr/bin/zsh', GOARM_HOME: elsewhere };
    delete env.ZDOTDIR;
    const out = await new Promise<string>((ok, fail) => {
      const child = spawn('script', ['-qfec', `${join(moved, 'install.sh')}`, '/dev/null'], { cwd: moved, env });
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d;
        if (text.includes('[y/N]') && !text.includes('[y/N] y')) child.stdin.write('y\n');
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`install.sh on a terminal hung:\n${text}`));
      }, 120_000);
      child.on('close', () => {
        clearTimeout(timer);
        ok(text);
      });
    });
    expect(out).toContain(`Add this line to ${home2}/.zshrc to load goarm in new shells?`);
    expect(out).toContain(`added to ${home2}/.zshrc`);
    // GOARM_HOME outside $HOME: the line names it absolutely, quoted.
    expect(await readFile(join(home2, '.zshrc'), 'utf8')).toContain(`eval "$('${elsewhere}/bin/goarm' use)"`);
  });
});

describe('install.sh refusals', () => {
  it('runs `npm ci` in a checkout without its build dependencies, and stops cleanly when it fails', async () => {
    const dir = await checkout(false);
    const home = await tempHome('goarm-install-nonpm-');
    const log = join(home, 'npm.log');
    const bin = await fakeBin(
      join(home, 'bin'),
      'npm',
      `echo "npm $*" >> '${log}'\necho 'npm ERR! network: getaddrinfo ENOTFOUND registry.npmjs.org' >&2\nexit 1`,
    );
    const r = await install(dir, [], { HOME: home, PATH: `${bin}:${PATH}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`install.sh: npm ci failed in ${dir}; see the messages above`);
    expect(await readFile(log, 'utf8')).toBe('npm ci --no-audit --no-fund\n');
    expect(await exists(join(home, '.goarm'))).toBe(false);
  });

  it('piped into sh inside a goarm checkout, fetches from the registry instead (and says when it cannot)', {
    timeout: 120_000,
  }, async () => {
    const dir = await checkout(false); // looks like a goarm checkout, but it is only the current directory
    const home = await tempHome('goarm-install-piped-');
    const r = await runShell(['sh', '-c', `sh -s -- --no-modify-rc < '${join(dir, 'install.sh')}'`], {
      cwd: dir,
      env: { PATH, HOME: home, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('install.sh: fetching goarm@latest from http://127.0.0.1:9/');
    expect(r.stderr).toContain("install.sh: npm could not fetch goarm@latest; check the version and npm's registry");
    expect(await exists(join(home, '.goarm', 'lib'))).toBe(false);
    expect(await exists(join(dir, 'node_modules'))).toBe(false); // nothing ran in the current directory
  });

  it('refuses a node older than 20.19, saying which it found', async () => {
    const dir = await checkout();
    const home = await tempHome('goarm-install-oldnode-');
    const bin = await fakeBin(join(home, 'bin'), 'node', 'case "$1" in --version) echo v18.19.0 ;; *) exit 1 ;; esac');
    const r = await install(dir, [], { HOME: home, PATH: `${bin}:/usr/bin:/bin` });
    expect(r).toMatchObject({
      code: 1,
      stderr: `install.sh: goarm needs Node.js 20.19 or newer; this node is v18.19.0 (${bin}/node)\n`,
    });
    expect(await exists(join(home, '.goarm'))).toBe(false);
  });

  it('rejects an unknown option with its usage (exit 2)', async () => {
    const r = await install(REPO_ROOT, ['--modfy-rc'], { HOME: await tempHome() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: install.sh [--version X] [--modify-rc | --no-modify-rc]');
    expect(r.stderr).toContain('unknown option: --modfy-rc');
  });
});

describe.each(['dash', 'bash'])('install.sh sourced by %s', (sh) => {
  it('defines its functions and does nothing else', async () => {
    const home = await tempHome('goarm-install-src-');
    const odd = join(home, "it's here");
    const script = [
      `GOARM_INSTALL_SOURCED=1 . '${join(REPO_ROOT, 'install.sh')}'`,
      'goarm_rc_file zsh; goarm_rc_file fish; goarm_rc_line zsh "$HOME/.goarm"; goarm_rc_line fish "$HOME/.goarm"',
      `goarm_rc_line bash '${odd.replace(/'/g, `'\\''`)}'`,
    ].join('\n');
    const r = await runShell([sh, '-c', script], { cwd: home, env: { HOME: home, PATH } });
    const lines = r.stdout.split('\n');
    expect(r.code).toBe(0);
    expect(lines.slice(0, 4)).toEqual([
      `${home}/.zshrc`,
      `${home}/.config/fish/config.fish`,
      'eval "$("$HOME/.goarm/bin/goarm" use)"',
      '~/.goarm/bin/goarm use | source',
    ]);
    expect(await readdir(home)).toEqual([]); // no ~/.goarm, no rc file
    // A path with a quote is quoted so that the line runs: eval it against a stand-in launcher.
    await fakeBin(join(odd, 'bin'), 'goarm', 'echo "echo loaded with $1"');
    expect(await runShell([sh, '-c', lines[4]], { cwd: home, env: { HOME: home, PATH } })).toMatchObject({
      code: 0,
      stdout: 'loaded with use\n',
    });
  });
});
