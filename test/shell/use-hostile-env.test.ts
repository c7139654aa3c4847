// Prompt hooks in a hostile environment.
// `set -e` in ~/.bashrc (or ERR_EXIT in ~/.zshrc) must not close the terminal: the prompt hook never returns
// non-zero there, whatever happens inside it (a stale cache after an edit of a project file or config.toml, a
// version that is not installed). Real interactive shells in tmux, as a user has them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import { renderInit } from '../../src/shell/init.js';
import { launcherText } from '../../src/shell/launcher.js';
import { cleanupTempHomes, REPO_ROOT, tempHome } from '../helpers/cli.js';
import { makeWorld, type World } from '../helpers/fakego.js';

/** The home with its launcher (bin/goarm) running this checkout's build with this Node, as install.sh writes it. */
async function withLauncher(root: string) {
  const h = goarmHome({ GOARM_HOME: root });
  await mkdir(dirname(h.launcher), { recursive: true });
  await writeFile(h.launcher, await launcherText(h, REPO_ROOT, process.execPath), { mode: 0o755 });
  return h;
}

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const hasTmux = spawnSync('sh', ['-c', 'command -v tmux']).status === 0;
afterAll(cleanupTempHomes);

/** One tmux server (its own socket) running one interactive shell. */
class Tmux {
  private n = 0;
  constructor(private socket: string) {}
  private tmux(...args: string[]) {
    return spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: { ...process.env, TMUX: '' } });
  }
  static async start(socket: string, command: string): Promise<Tmux> {
    const t = new Tmux(socket);
    const r = t.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 't', '-x', '200', '-y', '50', command);
    if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
    return t;
  }
  alive = () => this.tmux('has-session', '-t', 't').status === 0;
  screen = () => this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 't').stdout;
  /** Types a line, then a marker command, and waits for the marker's output (or for the shell to end). */
  async run(line: string): Promise<string> {
    const mark = `goarm-mark-${++this.n}`;
    this.tmux('send-keys', '-t', 't', '-l', line);
    this.tmux('send-keys', '-t', 't', 'Enter');
    this.tmux('send-keys', '-t', 't', '-l', `echo ${mark}-done`);
    this.tmux('send-keys', '-t', 't', 'Enter');
    for (let i = 0; i < 300; i++) {
      if (!this.alive()) return '(shell exited)';
      const s = this.screen();
      if (new RegExp(`^${mark}-done$`, 'm').test(s)) return s;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new Error(`no ${mark} after 30 s:\n${this.screen()}`);
  }
  close = () => this.tmux('kill-server');
}

let w: World;
beforeAll(async () => {
  w = await makeWorld({ versions: ['1.22.5', '1.23.4'], default: '1.23' });
});
const open: Tmux[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

describe.each(['bash', 'zsh'] as const)('%s with errexit in its rc file', (sh) => {
  it.skipIf(!hasTmux && !process.env.CI)(
    'survives edits of a project file and of config.toml, and a version that is not installed',
    async () => {
      expect(hasTmux, 'tmux must be installed').toBe(true);
      const proj = await w.files(`proj-${sh}`, { '.goarm.toml': 'go = "1.23"\n' });
      await w.settle();
      const user = await tempHome('goarm-errexit-');
      const init = join(user, `init.${sh}`);
      await writeFile(init, await renderInit(sh, await withLauncher(w.home), { exportHome: true }));
      await writeFile(join(user, sh === 'bash' ? '.bashrc' : '.zshrc'), `set -e\n. '${init}'\nPS1='$ '\n`);
      const shell = sh === 'bash' ? `bash --noprofile --rcfile '${join(user, '.bashrc')}' -i` : 'zsh --no-globalrcs -i';
      const env = `HOME='${user}' ZDOTDIR='${user}' PATH=/usr/bin:/bin TERM=screen LANG=C.UTF-8`;
      const t = await Tmux.start(`goarm-errexit-${process.pid}-${sh}`, `cd '${user}' && env -i ${env} ${shell}`);
      open.push(t);

      expect(await t.run(`cd '${proj}' && go version`)).toMatch(/^go=1\.23\.4 args=version /m);
      // A project file edited: the cache is stale, the hook's `. cache` returns 1, node resolves again.
      expect(await t.run(`echo 'go = "1.22"' > .goarm.toml`)).toMatch(/-done$/m);
      expect(await t.run('go version')).toMatch(/^go=1\.22\.5 args=version /m);
      // config.toml edited: every cache is stale.
      expect(await t.run(`echo '# edited' >> '${join(w.home, 'config.toml')}'`)).toMatch(/-done$/m);
      // A version that is not installed: the hook says so once, and the shell stays.
      const missing = await t.run(`echo 'go = "1.21"' > .goarm.toml`);
      expect(missing).toMatch(/goarm: go1\.21 \(from .*\.goarm\.toml:1\) is not installed; run: goarm install 1\.21/);
      expect(await t.run('cd / && cd -')).toMatch(/-done$/m);
      expect(t.alive(), t.screen()).toBe(true);
      expect(await t.run('echo still-here')).toMatch(/^still-here$/m);
    },
  );
});

// An inherited PWD with `..` in it (bash and fish keep one that names the working directory) must not make a prompt
// hook source a cache from outside GOARM_HOME/cache/resolve (issue 11, item 4): here, a cloned repo's own files.
describe.each(['bash', 'zsh', 'fish'] as const)('the %s prompt hook with a PWD that climbs out', (sh) => {
  it.skipIf(!hasTmux && !process.env.CI)('sources and writes caches only under cache/resolve', async () => {
    expect(hasTmux, 'tmux must be installed').toBe(true);
    const repo = await w.files(`repo-${sh}`, { '.goarm.toml': 'go = "1.23"\n' });
    const marker = join(w.base, `repo-code-ran-${sh}`);
    const evil = { sh: `touch '${marker}'\n_goarm_fresh=1\n`, fish: `touch '${marker}'\nset _goarm_fresh 1\n` };
    await writeFile(join(repo, '.goarm-shim-cache'), evil.sh);
    await writeFile(join(repo, '.goarm-fish-cache'), evil.fish);
    await w.files(`repo-${sh}/sub`, {});
    expect((await w.shim('dash', ['version'], { cwd: join(repo, 'sub') })).code).toBe(0); // cache/resolve<repo>/sub
    const depth = (p: string) => p.split('/').filter(Boolean).length;
    const lie = `${repo}/sub${'/..'.repeat(depth(join(repo, 'sub')) + depth(join(w.home, 'cache', 'resolve')))}${repo}`;

    const user = await tempHome('goarm-pwd-');
    const init = join(user, `init.${sh}`);
    await writeFile(init, await renderInit(sh, await withLauncher(w.home), { exportHome: true }));
    await mkdir(join(user, '.config', 'fish'), { recursive: true });
    const rc = { bash: '.bashrc', zsh: '.zshrc', fish: '.config/fish/config.fish' }[sh];
    await writeFile(join(user, rc), `${sh === 'fish' ? 'source' : '.'} '${init}'\n`);
    const shell = {
      bash: `bash --noprofile --rcfile '${join(user, '.bashrc')}' -i`,
      zsh: 'zsh --no-globalrcs -i',
      fish: 'fish -i',
    }[sh];
    const xdg = join(user, '.config');
    const env = `HOME='${user}' ZDOTDIR='${user}' XDG_CONFIG_HOME='${xdg}' PATH=/usr/bin:/bin TERM=screen`;
    const t = await Tmux.start(`goarm-pwd-${process.pid}-${sh}`, `cd '${repo}' && env -i ${env} PWD='${lie}' ${shell}`);
    open.push(t);
    expect(await t.run('true')).toMatch(/-done$/m);
    // fish may echo the typed-ahead marker command on the same line: the output need not start the line.
    expect(await t.run('go version')).toMatch(/(^|[^=])go=1\.23\.4 args=version /m);
    expect(existsSync(marker), t.screen()).toBe(false);
    expect(existsSync(join(w.home, 'cache', 'resolve', repo, '.goarm-shim-cache'))).toBe(true);
    expect(await readFile(join(repo, '.goarm-shim-cache'), 'utf8')).toBe(evil.sh);
    expect(await readFile(join(repo, '.goarm-fish-cache'), 'utf8')).toBe(evil.fish);
  });
});
