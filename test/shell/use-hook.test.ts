// The prompt hook's cost and robustness, in real interactive bash, zsh and fish: Node starts only when a
// directory's resolution is missing or stale, and a missing or broken node / goarm never breaks the prompt. The
// hook runs GOARM_HOME/bin/goarm (the launcher); each test writes it naming the package and Node it wants.
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import { renderInit } from '../../src/shell/init.js';
import { launcherText } from '../../src/shell/launcher.js';
import { cleanupTempHomes, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { fakeBin, makeWorld, type World } from '../helpers/fakego.js';
import { SHELLS, type Shell, sourceLine, Term } from './use-helpers.js';

afterAll(cleanupTempHomes);
const terms: Term[] = [];
afterEach(async () => {
  await Promise.all(terms.splice(0).map((t) => t.close()));
});

const statusLine = (sh: Shell) => (sh === 'fish' ? 'false\necho "rc=$status"' : 'false\necho "rc=$?"');
const count = (text: string, needle: string) => text.split(needle).length - 1;

async function world(): Promise<World> {
  // Projects pinned by .goarm.toml only: their caches depend on nothing above them (not on /tmp, which other
  // tests keep changing), so "nothing changed" really holds while the test counts.
  const w = await makeWorld({ versions: ['1.21.13', '1.22.5'], default: '1.22' });
  await w.files('a', { '.goarm.toml': 'go = "1.22"\n' });
  await w.files('b', { '.goarm.toml': 'go = "1.21"\n' });
  await w.settle();
  return w;
}

/** An interactive shell whose rc sources the init code; the home's launcher runs `pkg` with `node`. */
async function start(sh: Shell, w: World, run: { pkg?: string; node?: string } = {}, rcExtra = ''): Promise<Term> {
  const h = goarmHome({ GOARM_HOME: w.home });
  await writeFile(h.launcher, await launcherText(h, run.pkg ?? REPO_ROOT, run.node ?? process.execPath), {
    mode: 0o755,
  });
  const home = await tempHome('goarm-hook-home-');
  const init = join(home, `init.${sh}`);
  await writeFile(init, await renderInit(sh, h, { exportHome: true }));
  const t = await Term.start(sh, { home, rc: `${rcExtra}\n${sourceLine(sh, init)}`, cwd: home });
  terms.push(t);
  return t;
}

describe.each(SHELLS)('%s prompt hook', (sh) => {
  it("starts Node only when the directory's resolution is missing or stale", async () => {
    const w = await world();
    const log = join(await tempHome('goarm-hook-log-'), 'node.log');
    // A node that logs every start; the log lives outside the world so writing it changes nothing there.
    const node = join(
      await fakeBin(join(log, '..', 'bin'), 'node', `printf '%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' "$@"`),
      'node',
    );
    const t = await start(sh, w, { node });
    const starts = async (dir: string) =>
      count(await readFile(log, 'utf8').catch(() => ''), `hook-resolve ${w.dir(dir)}\n`);

    await t.run(`cd ${w.dir('a')}`);
    expect(await starts('a')).toBe(1);
    await t.run('true\n\ntrue\necho hi');
    expect(await starts('a')).toBe(1); // four prompts, no Node
    await t.run(`cd ${w.dir('b')}\ncd ${w.dir('a')}\ncd ${w.dir('b')}`);
    expect([await starts('a'), await starts('b')]).toEqual([1, 1]);
    expect(await t.run('go version')).toMatch(/go=1\.21\.13 /);

    // An edit makes the cache stale: the next prompt resolves again, and go follows.
    await t.run(`echo 'go = "1.22"' > .goarm.toml`);
    expect(await starts('b')).toBeGreaterThanOrEqual(2);
    expect(await t.run('go version')).toMatch(/go=1\.22\.5 /);
  });

  it('says nothing where no Go version is configured at all, and tries Node once per directory entered', async () => {
    const w = await makeWorld({ versions: ['1.22.5'] }); // no default, no project file anywhere
    await w.files('plain', { README: 'not a Go project\n' });
    const log = join(await tempHome('goarm-hook-log-'), 'node.log');
    const node = join(
      await fakeBin(join(log, '..', 'bin'), 'node', `printf '%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' "$@"`),
      'node',
    );
    const t = await start(sh, w, { node });
    const out = await t.run(`cd ${w.dir('plain')}\ntrue\ntrue`);
    expect(out).not.toMatch(/goarm:|error:/);
    expect(count(await readFile(log, 'utf8'), `hook-resolve ${w.dir('plain')}\n`)).toBe(1);
    expect(await t.run('go version')).toContain('no Go version is configured'); // the shim says it, when go runs
  });

  it('uses the node on PATH when the Node that wrote the launcher is gone (nvm, a Homebrew upgrade)', async () => {
    const w = await world();
    const t = await start(
      sh,
      w,
      { node: '/nonexistent/node' },
      sh === 'bash' ? 'set -u' : sh === 'zsh' ? 'setopt nounset' : '',
    );
    expect(await t.run(`cd ${w.dir('a')}\ncd ${w.dir('b')}\ntrue`)).not.toMatch(/goarm:|error:/);
    expect(await t.run('go version')).toMatch(/go=1\.21\.13 /);
    expect(await t.run('goarm list')).toContain('1.22.5');
  });

  it('keeps the prompt working when the launcher is missing: one notice, $? intact', async () => {
    const w = await world();
    const t = await start(sh, w, {}, sh === 'bash' ? 'set -u' : sh === 'zsh' ? 'setopt nounset' : '');
    await rm(goarmHome({ GOARM_HOME: w.home }).launcher);
    await t.run(`cd ${w.dir('a')}\ncd ${w.dir('b')}\ntrue`);
    // Said once per shell (at its first prompt), not once per directory or prompt.
    expect(count(t.screen, 'goarm: the shell hook cannot run')).toBe(1);
    expect(await t.run(statusLine(sh))).toMatch(/rc=1/);
    expect(await t.run('go version')).toContain('bin/goarm is missing; reinstall goarm');
    expect(await t.run('goarm list\necho "alive"')).toMatch(/alive/);
  });

  it('keeps the prompt working when node fails, saying so once per directory', async () => {
    const w = await world();
    const dir = await tempHome('goarm-hook-bad-');
    const node = join(await fakeBin(dir, 'node', 'echo "node: boom" >&2\nexit 3'), 'node');
    const t = await start(sh, w, { node });
    expect(count(await t.run(`cd ${w.dir('a')}`), 'node: boom')).toBe(1);
    expect(await t.run('true\ntrue')).not.toContain('boom');
    expect(await t.run(statusLine(sh))).toMatch(/rc=1/);
    expect(count(await t.run(`cd ${w.dir('b')}`), 'node: boom')).toBe(1);
  });

  it("keeps the prompt working after goarm's dist/ is deleted under a running shell", async () => {
    const w = await world();
    // A private copy of the built package, so deleting its dist/ harms no other test.
    const pkg = await tempHome('goarm-hook-pkg-');
    await cp(join(REPO_ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    await cp(join(REPO_ROOT, 'shims'), join(pkg, 'shims'), { recursive: true });
    await cp(join(REPO_ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    await cp(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
    await symlink(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const t = await start(sh, w, { pkg });
    await t.run(`cd ${w.dir('a')}`);
    expect(await t.run('goarm list')).toContain('1.22.5');

    await rm(join(pkg, 'dist'), { recursive: true });
    // The launcher says what happened, once per directory entered (not at every prompt).
    expect(count(await t.run(`cd ${w.dir('b')}\ntrue`), `belongs to (${pkg}) is gone; reinstall goarm`)).toBe(1);
    expect(await t.run(statusLine(sh))).toMatch(/rc=1/);
    expect(await t.run('goarm list\necho "alive"')).toMatch(/alive/);
    await mkdir(join(pkg, 'dist')); // an empty dist/ is as broken
    expect(await t.run(`cd ${w.dir('a')}\n${statusLine(sh)}`)).toMatch(/rc=1/);
  });
});
