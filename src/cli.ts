// The CLI entry. Only the command being run is imported (yargs alone costs ~85 ms; each command's own modules
// stay unloaded unless used). The shims and shell hooks never come here: they use src/shim-entry.ts.
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './core/commands.js';
import { ExitCode, err, render } from './core/errors.js';

// Until main() has settled, exiting is a failure: Node exits on its own when a promise is left pending with
// nothing to wake it, and that must never look like success.
process.exitCode = ExitCode.INTERNAL;

/**
 * `eval "$(goarm use)"` runs in every new shell: print the init code without loading yargs at all.
 * Returns undefined for anything but `use`, `use --shell X`, `use --shell=X`.
 */
async function initFastPath(argv: string[]): Promise<number | undefined> {
  const m = argv.join(' ').match(/^use(?:(?: --shell | --shell=)(bash|zsh|fish))?$/);
  if (!m) return undefined;
  try {
    const [{ detectShell }, { currentInit }, { goarmHome }] = await Promise.all([
      import('./shell/init.js'),
      import('./shell/launcher.js'),
      import('./core/home.js'),
    ]);
    const shell = (m[1] as 'bash' | 'zsh' | 'fish' | undefined) ?? detectShell();
    process.stdout.write(await currentInit(goarmHome(), shell));
    return 0;
  } catch (e) {
    return render(e);
  }
}

/** Each command is commands/<name>.js, imported only when it runs. */
const loadCommand = (name: string): Promise<{ default: CommandModule<any, any> }> => import(`./commands/${name}.js`);

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
    .epilogue(
      'Exit codes: 0 ok, 2 usage, 3 config, 4 not found, 5 network, 6 verification, ' +
        '7 archive, 8 filesystem, 9 locked, 10 host, 11 attention (doctor found a failing check).',
    )
    .fail((msg, e) => {
      if (e) throw e;
      throw err('E_USAGE', msg, 'run `goarm --help` or `goarm <command> --help`');
    });
  for (const { name: cmd, aliases, describe } of COMMANDS) {
    if (name === cmd || aliases.includes(name ?? ''))
      cli = cli.command({ ...(await loadCommand(cmd)).default, aliases });
    else cli = cli.command(cmd, describe, {}, () => {}); // listed in --help; never runs
  }
  try {
    process.exitCode = undefined; // a command may set its own (doctor, exec); the exit guard below covers the rest
    await cli.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return render(e);
  }
}

let settled = false;
process.on('exit', () => {
  if (settled) return;
  process.exitCode = ExitCode.INTERNAL;
  process.stderr.write(
    'error: internal error: goarm stopped before the command finished\nhint: this is a bug in goarm; ' +
      'rerun with GOARM_DEBUG=1 and report it\n',
  );
});
process.exitCode = await main(process.argv.slice(2));
settled = true;
