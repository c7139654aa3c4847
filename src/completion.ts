// Tab completion for bash, zsh and fish: the command table the scripts are rendered from, and the cached
// release list they offer for `install` & co. Completion never touches the network: remote versions come
// from cache/index.json only (written by `install` / `ls-remote`). Installed versions are globbed by the
// shell itself (versions/*), so only remote completion starts a process.
import { readFile } from 'node:fs/promises';
import type { Home } from './home.js';

/** What a command's positional arguments complete to. */
export type ArgKind = 'installed' | 'remote' | 'versions' | 'tools' | 'files' | 'commands' | 'none';
export interface CommandSpec { name: string; describe: string; args: ArgKind; options: string[] }

// Kept in step with src/cli.ts and each command's options by test/shell/use-completion.test.ts.
export const COMPLETION_COMMANDS: CommandSpec[] = [
  { name: 'install', describe: 'Download, verify and install Go releases', args: 'remote', options: ['--os', '--arch', '--quiet', '--json', '--skip-signature'] },
  { name: 'list', describe: 'List installed Go versions', args: 'none', options: ['--json'] },
  { name: 'ls-remote', describe: 'List Go releases available to install', args: 'remote', options: ['--all', '--json'] },
  { name: 'uninstall', describe: 'Remove an installed Go version', args: 'installed', options: [] },
  { name: 'current', describe: 'Show which Go applies here, and why', args: 'none', options: ['--json'] },
  { name: 'which', describe: 'Print the path of the real go or gofmt', args: 'tools', options: [] },
  { name: 'exec', describe: 'Run a command with the Go that applies here', args: 'commands', options: ['--version'] },
  { name: 'use', describe: 'Print the shell integration, or switch this shell to a Go version', args: 'installed', options: ['--global', '--unset', '--shell'] },
  { name: 'pin', describe: 'Pin this directory to a Go version', args: 'versions', options: [] },
  { name: 'default', describe: 'Set the global default Go version', args: 'versions', options: [] },
  { name: 'trust', describe: 'Trust ./.goarm.toml so its [env], cc and flags apply', args: 'files', options: ['--list', '--json'] },
  { name: 'untrust', describe: 'Stop trusting ./.goarm.toml', args: 'files', options: [] },
  { name: 'shims', describe: 'Regenerate the go and gofmt shims', args: 'none', options: [] },
  { name: 'completion', describe: 'Print the tab-completion script for bash, zsh or fish', args: 'none', options: [] },
];

/** Versions in the cached release index, newest first; [] when there is no usable cache. */
export async function cachedRemoteVersions(home: Home): Promise<string[]> {
  try {
    const cache = JSON.parse(await readFile(home.indexCache, 'utf8')) as { body?: unknown };
    const releases = JSON.parse(String(cache.body)) as { version?: unknown }[];
    return releases.map((r) => String(r.version ?? '').replace(/^go/, '')).filter((v) => /^[0-9][0-9a-z.]*$/.test(v));
  } catch {
    return [];
  }
}

/** Fills the command-table placeholders of a completion template (paths are filled by the caller). */
export function fillCompletion(template: string, shell: 'bash' | 'zsh' | 'fish', quote: (s: string) => string): string {
  // bash and zsh want `a|b` case patterns, fish wants `__fish_seen_subcommand_from a b`.
  const names = (kind: ArgKind) => COMPLETION_COMMANDS.filter((c) => c.args === kind).map((c) => c.name).join(shell === 'fish' ? ' ' : '|');
  const withOptions = COMPLETION_COMMANDS.filter((c) => c.options.length);
  const options = shell === 'fish'
    ? withOptions.flatMap((c) => c.options.map((o) => `complete -c goarm -n '__fish_seen_subcommand_from ${c.name}' -l ${o.slice(2)}`))
    : withOptions.map((c) => `      ${c.name}) ${shell === 'bash' ? '__goarm_w' : 'w'}=(${c.options.join(' ')}) ;;`);
  const described = shell === 'fish'
    ? COMPLETION_COMMANDS.map((c) => `complete -c goarm -n __fish_use_subcommand -a ${c.name} -d ${quote(c.describe)}`).join('\n')
    : COMPLETION_COMMANDS.map((c) => quote(`${c.name}:${c.describe.replaceAll(':', '\\:')}`)).join(' ');
  return template
    .replaceAll('@COMMANDS@', COMPLETION_COMMANDS.map((c) => c.name).join(' '))
    .replaceAll('@DESCRIBED@', described)
    .replaceAll('@OPTIONS@', options.join('\n'))
    .replaceAll('@INSTALLED_ARGS@', names('installed'))
    .replaceAll('@REMOTE_ARGS@', names('remote'))
    .replaceAll('@VERSION_ARGS@', names('versions'))
    .replaceAll('@FILE_ARGS@', names('files'));
}
