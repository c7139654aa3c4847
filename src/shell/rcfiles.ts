// The rc-file lines goarm adds (install.sh --modify-rc) and removes (`goarm self uninstall`). install.sh writes
// "\n<MARKER>\n<line that loads goarm>\n" at the end of a file; exactly that is taken out again, so every other
// byte of the file stays as it was. A line the user added by hand is reported, never edited.
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Keep in step with install.sh's goarm_add_rc_line. */
const MARKER = '# goarm: Go toolchain manager (added by install.sh)';

/** A line that loads goarm's shell integration: `eval "$(goarm use)"`, `… goarm use | source`, any path to goarm. */
const loadsGoarm = (line: string) => /goarm['"]?\s+use\b(?!\s+[0-9a-z])/.test(line) && /\beval\b|\bsource\b/.test(line);

/** The rc files install.sh may have written, for every shell. */
export function rcFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || homedir();
  return [
    join(home, '.bashrc'),
    join(home, '.bash_profile'),
    join(env.ZDOTDIR || home, '.zshrc'),
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'fish', 'config.fish'),
  ];
}

export interface RcCleanup {
  file: string;
  /** The goarm lines removed (what install.sh added). */
  removed: string[];
  /** 1-based numbers of other lines that load goarm (added by hand): left for the user. */
  left: number[];
}

/** What removing goarm's lines from `file` would do, and the new text; undefined when the file is absent. */
export async function planRcCleanup(file: string): Promise<(RcCleanup & { text: string }) | undefined> {
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === undefined) return undefined;
  const removed: string[] = [];
  const block = new RegExp(`\\n${MARKER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n([^\\n]*)(\\n|$)`, 'g');
  const text = before.replace(block, (all, line: string) => {
    if (!loadsGoarm(line)) return all;
    removed.push(MARKER, line);
    return '';
  });
  const left = text.split('\n').flatMap((l, i) => (loadsGoarm(l) && !l.trim().startsWith('#') ? [i + 1] : []));
  return { file, removed, left, text };
}

/** Written in place, not by rename: an rc file is often a symlink into a dotfiles repository, and keeps its mode. */
export async function applyRcCleanup(plan: RcCleanup & { text: string }): Promise<void> {
  if (plan.removed.length) await writeFile(plan.file, plan.text);
}
