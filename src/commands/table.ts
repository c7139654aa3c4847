// The command table: names, help lines, what their arguments complete to, and lazy loaders. Side-effect free,
// so tab completion (src/completion.ts) renders from the same table the CLI registers (src/cli.ts).
import type { CommandModule } from 'yargs';

/** What a command's positional arguments complete to: a kind, or a fixed list of words (sub-actions). */
export type ArgKind = 'installed' | 'remote' | 'versions' | 'tools' | 'files' | 'commands' | 'none';
export interface CommandEntry {
  name: string;
  aliases: string[];
  describe: string;
  args: ArgKind | string[];
  load: () => Promise<{ default: CommandModule<any, any> }>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'install', aliases: ['i'], describe: 'Download, verify and install Go releases', args: 'remote', load: () => import('./install.js') },
  { name: 'list', aliases: ['ls'], describe: 'List installed Go versions', args: 'none', load: () => import('./list.js') },
  { name: 'ls-remote', aliases: [], describe: 'List Go releases available to install', args: 'remote', load: () => import('./ls-remote.js') },
  { name: 'uninstall', aliases: ['rm'], describe: 'Remove an installed Go version (exact version only)', args: 'installed', load: () => import('./uninstall.js') },
  { name: 'current', aliases: [], describe: 'Show which Go applies in this directory, and why', args: 'none', load: () => import('./current.js') },
  { name: 'which', aliases: [], describe: 'Print the path of the real go or gofmt used here', args: 'tools', load: () => import('./which.js') },
  { name: 'exec', aliases: [], describe: 'Run a command with the Go that applies here', args: 'commands', load: () => import('./exec.js') },
  { name: 'pin', aliases: [], describe: 'Pin this directory to a Go version in ./.goarm.toml', args: 'versions', load: () => import('./pin.js') },
  { name: 'default', aliases: [], describe: 'Set the global default Go version', args: 'versions', load: () => import('./default.js') },
  { name: 'trust', aliases: [], describe: 'Trust ./.goarm.toml so its [env], cc and flags apply', args: 'files', load: () => import('./trust.js') },
  { name: 'untrust', aliases: [], describe: 'Stop trusting ./.goarm.toml', args: 'files', load: () => import('./untrust.js') },
  { name: 'shims', aliases: [], describe: 'Regenerate the go and gofmt shims', args: 'none', load: () => import('./shims.js') },
  { name: 'use', aliases: [], describe: 'Print the shell integration, or switch this shell to a Go version', args: 'installed', load: () => import('./use.js') },
  { name: 'completion', aliases: [], describe: 'Print the tab-completion script for bash, zsh or fish', args: ['bash', 'zsh', 'fish'], load: () => import('./completion.js') },
  { name: 'config', aliases: [], describe: 'Show or change settings (mirror, index_url, ...) in config.toml', args: ['list', 'get', 'set', 'unset'], load: () => import('./config.js') },
  { name: 'mirror', aliases: [], describe: 'Build a verified mirror directory for offline installs; list mirror presets', args: ['sync', 'presets'], load: () => import('./mirror.js') },
  { name: 'login', aliases: [], describe: 'Store credentials for a private mirror in the OS keychain', args: 'none', load: () => import('./login.js') },
  { name: 'logout', aliases: [], describe: 'Remove stored credentials for a private mirror', args: 'none', load: () => import('./logout.js') },
  { name: 'doctor', aliases: [], describe: 'Check PATH, environment, installs, shims, project, cgo and keys; say how to fix', args: 'none', load: () => import('./doctor.js') },
  { name: 'cgo', aliases: [], describe: 'List the packages here that use cgo and what CGO_ENABLED=0 does to them', args: 'none', load: () => import('./cgo.js') },
  { name: 'verify', aliases: [], describe: 'Check installed Go roots against their install manifests', args: 'installed', load: () => import('./verify.js') },
  { name: 'prune', aliases: [], describe: 'Remove versions no default, project or newest patch needs (asks first)', args: 'none', load: () => import('./prune.js') },
];
