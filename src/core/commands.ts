// The command table: names, help lines and what their arguments complete to. Plain data, so tab completion
// (shell/completion.ts) renders from the same table the CLI registers (cli.ts loads commands/<name>.js lazily).

/** What a command's positional arguments complete to: a kind, or a fixed list of words (sub-actions). */
export type ArgKind = 'installed' | 'remote' | 'versions' | 'tools' | 'files' | 'commands' | 'none';
export interface CommandEntry {
  name: string;
  aliases: string[];
  describe: string;
  args: ArgKind | string[];
}

export const COMMANDS: CommandEntry[] = [
  { name: 'install', aliases: ['i'], describe: 'Download, verify and install Go releases', args: 'remote' },
  { name: 'list', aliases: ['ls'], describe: 'List installed Go versions', args: 'none' },
  { name: 'ls-remote', aliases: [], describe: 'List Go releases available to install', args: 'remote' },
  {
    name: 'uninstall',
    aliases: ['rm'],
    describe: 'Remove an installed Go version (exact version only)',
    args: 'installed',
  },
  { name: 'current', aliases: [], describe: 'Show which Go applies in this directory, and why', args: 'none' },
  { name: 'which', aliases: [], describe: 'Print the path of the real go or gofmt used here', args: 'tools' },
  { name: 'exec', aliases: [], describe: 'Run a command with the Go that applies here', args: 'commands' },
  { name: 'pin', aliases: [], describe: 'Pin this directory to a Go version in ./.goarm.toml', args: 'versions' },
  { name: 'default', aliases: [], describe: 'Set the global default Go version', args: 'versions' },
  { name: 'trust', aliases: [], describe: 'Trust ./.goarm.toml so its [env], cc and flags apply', args: 'files' },
  { name: 'untrust', aliases: [], describe: 'Stop trusting ./.goarm.toml', args: 'files' },
  { name: 'shims', aliases: [], describe: 'Regenerate the go and gofmt shims', args: 'none' },
  {
    name: 'use',
    aliases: [],
    describe: 'Print the shell integration, or switch this shell to a Go version',
    args: 'installed',
  },
  {
    name: 'completion',
    aliases: [],
    describe: 'Print the tab-completion script for bash, zsh or fish',
    args: ['bash', 'zsh', 'fish'],
  },
  {
    name: 'config',
    aliases: [],
    describe: 'Show or change settings (mirror, index_url, ...) in config.toml',
    args: ['list', 'get', 'set', 'unset'],
  },
  {
    name: 'mirror',
    aliases: [],
    describe: 'Build a verified mirror directory for offline installs; list mirror presets',
    args: ['sync', 'presets'],
  },
  { name: 'login', aliases: [], describe: 'Store credentials for a private mirror in the OS keychain', args: 'none' },
  { name: 'logout', aliases: [], describe: 'Remove stored credentials for a private mirror', args: 'none' },
  {
    name: 'doctor',
    aliases: [],
    describe: 'Check PATH, environment, installs, shims, project, cgo and keys; say how to fix',
    args: 'none',
  },
  {
    name: 'cgo',
    aliases: [],
    describe: 'List the packages here that use cgo and what CGO_ENABLED=0 does to them',
    args: 'none',
  },
  {
    name: 'verify',
    aliases: [],
    describe: 'Check installed Go roots against their install manifests',
    args: 'installed',
  },
  {
    name: 'self',
    aliases: [],
    describe: 'Update goarm itself, or uninstall it (GOARM_HOME and the rc lines it added)',
    args: ['update', 'uninstall'],
  },
  {
    name: 'prune',
    aliases: [],
    describe: 'Remove versions no default, project or newest patch needs (asks first)',
    args: 'none',
  },
  {
    name: 'outdated',
    aliases: [],
    describe: 'Show Go versions that are behind, out of support or known to be vulnerable',
    args: 'none',
  },
  { name: 'upgrade', aliases: [], describe: 'Install the newest patch of installed minors', args: 'installed' },
];
