// The CLI entry. Only the command being run is imported (yargs alone costs ~85 ms; each command's own modules
// stay unloaded unless used). The shims and shell hooks never come here: they use src/light.ts.
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, err, render } from './errors.js';

type Loader = () => Promise<{ default: CommandModule<any, any> }>;
const COMMANDS: [name: string, aliases: string[], describe: string, load: Loader][] = [
  ['install', ['i'], 'Download, verify and install Go releases', () => import('./commands/install.js')],
  ['list', ['ls'], 'List installed Go versions', () => import('./commands/list.js')],
  ['ls-remote', [], 'List Go releases available to install', () => import('./commands/ls-remote.js')],
  ['uninstall', ['rm'], 'Remove an installed Go version (exact version only)', () => import('./commands/uninstall.js')],
  ['current', [], 'Show which Go applies in this directory, and why', () => import('./commands/current.js')],
  ['which', [], 'Print the path of the real go or gofmt used here', () => import('./commands/which.js')],
  ['exec', [], 'Run a command with the Go that applies here', () => import('./commands/exec.js')],
  ['pin', [], 'Pin this directory to a Go version in ./.goarm.toml', () => import('./commands/pin.js')],
  ['default', [], 'Set the global default Go version', () => import('./commands/default.js')],
  ['trust', [], 'Trust ./.goarm.toml so its [env], cc and flags apply', () => import('./commands/trust.js')],
  ['untrust', [], 'Stop trusting ./.goarm.toml', () => import('./commands/untrust.js')],
  ['shims', [], 'Regenerate the go and gofmt shims', () => import('./commands/shims.js')],
  ['use', [], 'Print the shell integration, or switch this shell to a Go version', () => import('./commands/use.js')],
  ['completion', [], 'Print the tab-completion script for bash, zsh or fish', () => import('./commands/completion.js')],
  ['config', [], 'Show or change settings (mirror, index_url, ...) in config.toml', () => import('./commands/config.js')],
  ['mirror', [], 'Build a verified mirror directory for offline installs; list mirror presets', () => import('./commands/mirror.js')],
  ['login', [], 'Store credentials for a private mirror in the OS keychain', () => import('./commands/login.js')],
  ['logout', [], 'Remove stored credentials for a private mirror', () => import('./commands/logout.js')],
  ['doctor', [], 'Check PATH, environment, installs, shims, project, cgo and keys; say how to fix', () => import('./commands/doctor.js')],
  ['cgo', [], 'List the packages here that use cgo and what CGO_ENABLED=0 does to them', () => import('./commands/cgo.js')],
  ['verify', [], 'Check installed Go roots against their install manifests', () => import('./commands/verify.js')],
  ['prune', [], 'Remove versions no default, project or newest patch needs (asks first)', () => import('./commands/prune.js')],
];

/**
 * `eval "$(goarm use)"` runs in every new shell: print the init code without loading yargs at all.
 * Returns undefined for anything but `use`, `use --shell X`, `use --shell=X`.
 */
async function initFastPath(argv: string[]): Promise<number | undefined> {
  const m = argv.join(' ').match(/^use(?:(?: --shell | --shell=)(bash|zsh|fish))?$/);
  if (!m) return undefined;
  try {
    const [{ renderInit, detectShell }, { goarmHome }] = await Promise.all([import('./use.js'), import('./home.js')]);
    const home = goarmHome();
    process.stdout.write((await renderInit((m[1] as 'bash' | 'zsh' | 'fish' | undefined) ?? detectShell(), home, { exportHome: Boolean(process.env.GOARM_HOME) })) + '\n');
    return 0;
  } catch (e) {
    return render(e);
  }
}

export async function main(argv: string[]): Promise<number> {
  const fast = await initFastPath(argv);
  if (fast !== undefined) return fast;
  const { default: yargs } = await import('yargs');
  const name = argv.find((a) => !a.startsWith('-'));
  let cli: Argv = yargs(argv)
    .scriptName('goarm')
    .usage('$0 <command> [options]\n\nA Go toolchain manager that verifies every release it installs.')
    .strict()
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilogue('Exit codes: 0 ok, 2 usage, 3 config, 4 not found, 5 network, 6 verification, 7 archive, 8 filesystem, 9 locked, 10 host.')
    .fail((msg, e) => {
      if (e) throw e;
      throw err('E_USAGE', ExitCode.USAGE, msg, 'run `goarm --help` or `goarm <command> --help`');
    });
  for (const [cmd, aliases, describe, load] of COMMANDS) {
    if (name === cmd || aliases.includes(name ?? '')) cli = cli.command({ ...(await load()).default, aliases });
    else cli = cli.command(cmd, describe, {}, () => {}); // listed in --help; never runs
  }
  try {
    await cli.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return render(e);
  }
}

process.exitCode = await main(process.argv.slice(2));
