// The CLI entry. Only the command being run is imported (yargs alone costs ~85 ms; each command's own modules
// stay unloaded unless used). The shims and shell hooks never come here: they use src/light.ts.
import type { Argv } from 'yargs';
import { COMMANDS } from './commands/table.js';
import { ExitCode, err, render } from './errors.js';


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
  for (const { name: cmd, aliases, describe, load } of COMMANDS) {
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
