// Tab completion for bash, zsh and fish: the command table the scripts are rendered from, and the cached
// release list they offer for `install` & co. Completion never touches the network: remote versions come
// from the cached index only (install/release-index.ts `cachedVersions`, written by `install` / `ls-remote`).
// Installed versions are globbed by the shell itself (versions/*), so only remote completion starts a process.
import { type ArgKind, COMMANDS } from '../core/commands.js';

/** Options are not listed here: the scripts read them from `goarm <command> --help` on the first --<TAB> (once
 * per shell), so they cannot drift. */
export const COMPLETION_COMMANDS = COMMANDS;

/** Fills the command-table placeholders of a completion template (paths are filled by the caller). */
export function fillCompletion(template: string, shell: 'bash' | 'zsh' | 'fish', quote: (s: string) => string): string {
  // bash and zsh want `a|b` case patterns, fish wants `__fish_seen_subcommand_from a b`.
  const names = (kind: ArgKind) =>
    COMPLETION_COMMANDS.filter((c) => c.args === kind)
      .map((c) => c.name)
      .join(shell === 'fish' ? ' ' : '|');
  const words = COMPLETION_COMMANDS.filter((c) => Array.isArray(c.args)).map((c) =>
    shell === 'fish'
      ? `complete -c goarm -n '__fish_seen_subcommand_from ${c.name}' -a '${(c.args as string[]).join(' ')}'`
      : `${c.name}) ${shell === 'bash' ? '__goarm_w' : 'w'}=(${(c.args as string[]).join(' ')}) ;;`,
  );
  const described =
    shell === 'fish'
      ? COMPLETION_COMMANDS.map(
          (c) => `complete -c goarm -n __fish_use_subcommand -a ${c.name} -d ${quote(c.describe)}`,
        ).join('\n')
      : COMPLETION_COMMANDS.map((c) => quote(`${c.name}:${c.describe.replaceAll(':', '\\:')}`)).join(' ');
  // A placeholder alone on its line becomes several lines, each indented as the placeholder was.
  const block = (text: string, name: string, lines: string[]) =>
    text.replace(new RegExp(`^([ \\t]*)@${name}@$`, 'gm'), (_, indent: string) =>
      lines.map((l) => indent + l).join('\n'),
    );
  return block(template, 'WORDS', words)
    .replaceAll('@COMMANDS@', COMPLETION_COMMANDS.map((c) => c.name).join(' '))
    .replaceAll('@DESCRIBED@', described)
    .replaceAll('@INSTALLED_ARGS@', names('installed'))
    .replaceAll('@REMOTE_ARGS@', names('remote'))
    .replaceAll('@VERSION_ARGS@', names('versions'))
    .replaceAll('@FILE_ARGS@', names('files'));
}
