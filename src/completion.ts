// Tab completion for bash, zsh and fish: the command table the scripts are rendered from, and the cached
// release list they offer for `install` & co. Completion never touches the network: remote versions come
// from cache/index.json only (written by `install` / `ls-remote`). Installed versions are globbed by the
// shell itself (versions/*), so only remote completion starts a process.
import { readFile } from 'node:fs/promises';
import type { Home } from './home.js';

/** What a command's positional arguments complete to: a kind, or a fixed list of words (sub-actions). */
export type ArgKind = 'installed' | 'remote' | 'versions' | 'tools' | 'files' | 'commands' | 'none';
export interface CommandSpec { name: string; describe: string; args: ArgKind | string[] }

// Kept in step with src/cli.ts by test/shell/use-completion.test.ts. Options are not listed here: the scripts
// read them from `goarm <command> --help` on the first --<TAB> (once per shell), so they cannot drift.
export const COMPLETION_COMMANDS: CommandSpec[] = [
  { name: 'install', describe: 'Download, verify and install Go releases', args: 'remote' },
  { name: 'list', describe: 'List installed Go versions', args: 'none' },
  { name: 'ls-remote', describe: 'List Go releases available to install', args: 'remote' },
  { name: 'uninstall', describe: 'Remove an installed Go version', args: 'installed' },
  { name: 'current', describe: 'Show which Go applies here, and why', args: 'none' },
  { name: 'which', describe: 'Print the path of the real go or gofmt', args: 'tools' },
  { name: 'exec', describe: 'Run a command with the Go that applies here', args: 'commands' },
  { name: 'use', describe: 'Print the shell integration, or switch this shell to a Go version', args: 'installed' },
  { name: 'pin', describe: 'Pin this directory to a Go version', args: 'versions' },
  { name: 'default', describe: 'Set the global default Go version', args: 'versions' },
  { name: 'trust', describe: 'Trust ./.goarm.toml so its [env], cc and flags apply', args: 'files' },
  { name: 'untrust', describe: 'Stop trusting ./.goarm.toml', args: 'files' },
  { name: 'shims', describe: 'Regenerate the go and gofmt shims', args: 'none' },
  { name: 'completion', describe: 'Print the tab-completion script for bash, zsh or fish', args: ['bash', 'zsh', 'fish'] },
  { name: 'config', describe: 'Show or change settings in config.toml', args: ['list', 'get', 'set', 'unset'] },
  { name: 'mirror', describe: 'Build a verified mirror directory, or list mirror presets', args: ['sync', 'presets'] },
  { name: 'login', describe: 'Store credentials for a private mirror', args: 'none' },
  { name: 'logout', describe: 'Remove stored credentials for a private mirror', args: 'none' },
  { name: 'doctor', describe: 'Check this machine and say how to fix problems', args: 'none' },
  { name: 'cgo', describe: 'List the packages here that use cgo', args: 'none' },
  { name: 'verify', describe: 'Check installed Go roots against their install manifests', args: 'installed' },
  { name: 'prune', describe: 'Remove versions nothing needs (asks first)', args: 'none' },
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
  const words = COMPLETION_COMMANDS.filter((c) => Array.isArray(c.args)).map((c) => shell === 'fish'
    ? `complete -c goarm -n '__fish_seen_subcommand_from ${c.name}' -a '${(c.args as string[]).join(' ')}'`
    : `${c.name}) ${shell === 'bash' ? '__goarm_w' : 'w'}=(${(c.args as string[]).join(' ')}) ;;`);
  const described = shell === 'fish'
    ? COMPLETION_COMMANDS.map((c) => `complete -c goarm -n __fish_use_subcommand -a ${c.name} -d ${quote(c.describe)}`).join('\n')
    : COMPLETION_COMMANDS.map((c) => quote(`${c.name}:${c.describe.replaceAll(':', '\\:')}`)).join(' ');
  // A placeholder alone on its line becomes several lines, each indented as the placeholder was.
  const block = (text: string, name: string, lines: string[]) => text.replace(new RegExp(`^([ \\t]*)@${name}@$`, 'gm'), (_, indent: string) => lines.map((l) => indent + l).join('\n'));
  return block(template, 'WORDS', words)
    .replaceAll('@COMMANDS@', COMPLETION_COMMANDS.map((c) => c.name).join(' '))
    .replaceAll('@DESCRIBED@', described)
    .replaceAll('@INSTALLED_ARGS@', names('installed'))
    .replaceAll('@REMOTE_ARGS@', names('remote'))
    .replaceAll('@VERSION_ARGS@', names('versions'))
    .replaceAll('@FILE_ARGS@', names('files'));
}
