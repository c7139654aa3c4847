// Shell start-up files: where a PATH entry, a GOROOT export or goarm's own init line comes from, so that a fix
// can name "~/.zprofile:3" instead of "somewhere in your shell set-up".
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DoctorContext } from './findings.js';

export interface RcHit {
  file: string;
  line: number;
  text: string;
}

const ZSH = ['.zshenv', '.zprofile', '.zshrc', '.zlogin'];
const BASH = ['.bash_profile', '.bash_login', '.profile', '.bashrc'];

/** The start-up files of the login shell (all shells' when $SHELL is unknown), in the order they are read. */
async function candidates(ctx: DoctorContext): Promise<string[]> {
  const home = ctx.env.HOME ?? '';
  const zdot = ctx.env.ZDOTDIR || home;
  const fishDir = join(ctx.env.XDG_CONFIG_HOME || join(home, '.config'), 'fish');
  const fish = async () => [join(fishDir, 'config.fish'), ...(await list(join(fishDir, 'conf.d'), '.fish'))];
  // macOS path_helper (run by /etc/zprofile and /etc/profile) puts these first: the go.dev .pkg installer leaves
  // /etc/paths.d/go behind with /usr/local/go/bin.
  const system = ctx.host.os === 'darwin' ? ['/etc/paths', ...(await list('/etc/paths.d', ''))] : [];
  const files =
    ctx.shell === 'zsh'
      ? ZSH.map((f) => join(zdot, f))
      : ctx.shell === 'bash'
        ? BASH.map((f) => join(home, f))
        : ctx.shell === 'fish'
          ? await fish()
          : [...ZSH.map((f) => join(zdot, f)), ...BASH.map((f) => join(home, f)), ...(await fish())];
  return [...system, ...files];
}

async function list(dir: string, ext: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith(ext) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

/** Lines (not comments) of the start-up files that pass `test`. */
export async function findInRc(ctx: DoctorContext, test: (line: string) => boolean): Promise<RcHit[]> {
  const hits: RcHit[] = [];
  for (const file of await candidates(ctx)) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim().startsWith('#') && test(line)) hits.push({ file, line: i + 1, text: line.trim() });
    });
  }
  return hits;
}

/** A line that mentions `dir` as a whole path (also spelled with ~ or $HOME). */
export function mentions(ctx: DoctorContext, dir: string): (line: string) => boolean {
  const home = ctx.env.HOME;
  const spellings = [dir];
  if (home && dir.startsWith(home + '/'))
    spellings.push('~' + dir.slice(home.length), '$HOME' + dir.slice(home.length), '${HOME}' + dir.slice(home.length));
  return (line) =>
    spellings.some((s) => {
      let i = line.indexOf(s);
      for (; i >= 0; i = line.indexOf(s, i + 1)) if (!/[A-Za-z0-9_.-]/.test(line[i + s.length] ?? '')) return true;
      return false;
    });
}

/** `eval "$(goarm use)"`, `goarm use | source`, with or without a path to goarm or --shell. */
export const isInitLine = (line: string) =>
  /goarm['"]?(\s+--?\S+)*\s+use\b(?!\s+[0-9a-z])/.test(line) && /\beval\b|\|\s*source\b|\bsource\b/.test(line);

/** The rc file and line that load goarm's shell integration for this shell. */
export function initLine(ctx: DoctorContext): string {
  if (ctx.shell === 'fish') return 'goarm use | source  (in ~/.config/fish/config.fish)';
  return `eval "$(goarm use)"  (at the end of ${ctx.shell === 'bash' ? '~/.bashrc' : '~/.zshrc'})`;
}

/** "~/.zprofile:3" */
export function where(ctx: DoctorContext, h: RcHit): string {
  const home = ctx.env.HOME;
  return `${home && h.file.startsWith(home + '/') ? '~' + h.file.slice(home.length) : h.file}:${h.line}`;
}
