// Real interactive shells for the `goarm use` tests: each runs on a pseudo-terminal (util-linux `script`), so
// bash reads with readline, zsh with zle and fish with its own reader, and their prompt hooks fire as for a user.
//
//   Term.start(shell, { home, env, rc, cwd? }) starts `shell` interactively with a temp HOME = home whose rc file
//       (~/.bashrc via --rcfile, $ZDOTDIR/.zshrc, $XDG_CONFIG_HOME/fish/config.fish) contains `rc`.
//       env: extra variables (PATH is /usr/bin:/bin unless given: the init code must not need node on PATH).
//   term.run(lines) types `lines`, then a marker command, and returns what the terminal showed in between
//       (prompts, echoed input, stdout and stderr of the commands, escape sequences and \r removed).
//   term.type(keys, until) types raw keys (e.g. a TAB) and waits until the new screen text matches `until`;
//   term.interrupt() types Ctrl-C and waits for the shell to take commands again (input typed right after a
//       Ctrl-C may be discarded, so it retries its marker).
//   term.close() types `exit` and waits; kills after 10 s.
//   loadLine(shell, script) is the rc line that loads `script` (the init code), like the README says.
//   GOARM = [node, bin/goarm]: the CLI as a shell command (absolute paths).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GOARM_BIN } from '../helpers/cli.js';

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];
export const GOARM = `${process.execPath} ${GOARM_BIN}`;

/** The rc line a user writes: `eval "$(goarm use)"`, or `goarm use | source` in fish. */
export const initLine = (shell: Shell, goarm = GOARM) =>
  shell === 'fish' ? `${goarm} use | source` : `eval "$(${goarm} use)"`;
export const sourceLine = (shell: Shell, file: string) => (shell === 'fish' ? `source ${file}` : `. ${file}`);

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>()][0-9A-Za-z]?|\r|\x07|\x08/g;

export class Term {
  private out = '';
  private seen = 0;
  private n = 0;
  private exited = false;
  private constructor(
    private child: ChildProcessWithoutNullStreams,
    readonly shell: Shell,
  ) {
    const take = (b: Buffer) => {
      this.out += b.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', () => {
      this.exited = true;
    });
    child.stdin.on('error', () => {}); // typing into a shell that already exited: run() reports it
  }

  static async start(
    shell: Shell,
    opts: { home: string; rc: string; env?: Record<string, string>; cwd?: string },
  ): Promise<Term> {
    const { home } = opts;
    let argv: string;
    if (shell === 'bash') {
      await writeFile(join(home, '.bashrc'), opts.rc + '\n');
      argv = `bash --noprofile --rcfile ${join(home, '.bashrc')} -i`;
    } else if (shell === 'zsh') {
      await writeFile(join(home, '.zshrc'), opts.rc + '\n');
      argv = 'zsh --no-globalrcs -i';
    } else {
      await mkdir(join(home, '.config', 'fish'), { recursive: true });
      await writeFile(join(home, '.config', 'fish', 'config.fish'), `set -g fish_greeting ''\n${opts.rc}\n`);
      argv = 'fish -i';
    }
    const env: Record<string, string> = {
      HOME: home,
      ZDOTDIR: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      PATH: '/usr/bin:/bin',
      TERM: 'dumb',
      SHELL: `/usr/bin/${shell}`,
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      ...opts.env,
    };
    const child = spawn('script', ['-qfec', `exec ${argv}`, '/dev/null'], {
      cwd: opts.cwd ?? home,
      env,
      stdio: 'pipe',
    });
    const term = new Term(child, shell);
    await term.run('');
    return term;
  }

  /** Everything the terminal showed so far, cleaned. */
  get screen(): string {
    return this.out.replace(ANSI, '');
  }

  async run(lines: string, timeoutMs = 30_000): Promise<string> {
    const marker = `m${++this.n}`;
    // printf's output `<m1>` never appears in the echoed input, which shows `'<%s>\n' m1`.
    this.child.stdin.write(`${lines ? lines + '\n' : ''}printf '<%s>\\n' ${marker}\n`);
    const start = this.seen;
    const t0 = Date.now();
    for (;;) {
      const screen = this.screen;
      const at = screen.indexOf(`<${marker}>`, start);
      if (at >= 0) {
        this.seen = at + marker.length + 2;
        return screen.slice(start, at);
      }
      if (this.exited || Date.now() - t0 > timeoutMs)
        throw new Error(
          `${this.shell}: no <${marker}> after ${JSON.stringify(lines)}${this.exited ? ' (the shell exited)' : ''}; ` +
            `screen:\n${screen.slice(start)}`,
        );
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async type(keys: string, until: RegExp, timeoutMs = 15_000): Promise<string> {
    const start = this.seen;
    this.child.stdin.write(keys);
    const t0 = Date.now();
    for (;;) {
      const text = this.screen.slice(start);
      if (until.test(text)) return text;
      if (this.exited || Date.now() - t0 > timeoutMs)
        throw new Error(`${this.shell}: ${until} never showed after typing ${JSON.stringify(keys)}; screen:\n${text}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async interrupt(): Promise<void> {
    this.child.stdin.write('\x03');
    for (let i = 0; ; i++) {
      try {
        await this.run('', 1000);
        return;
      } catch (e) {
        if (i === 10) throw e;
      }
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.write('exit\n');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await new Promise((r) => (this.exited ? r(undefined) : this.child.on('close', r)));
    clearTimeout(t);
  }
}
