// The CLI entry. Only the command being run is imported (yargs alone costs ~85 ms; each command's own modules
// stay unloaded unless used). The shims and shell hooks never come here: they use src/shim-entry.ts.
// test/integration/light-paths.test.ts fails when a light path loads undici, openpgp, tar or yargs.
import type { Argv, CommandModule } from 'yargs';
import { COMMANDS } from './core/commands.js';
import { err, render } from './core/errors.js';

/**
 * `eval "$(goarm use)"` runs in every new shell: print the init code without loading yargs at all.
 * Returns undefined for anything but `use`, `use --shell X`, `use --shell=X`.
 */
async function initFastPath(argv: string[]): Promise<number | undefined> {
  const m = argv.join(' ').match(/^use(?:(?: --shell | --shell=)(bash|zsh|fish))?$/);
  if (!m) return undefined;
  try {
    const [{ renderInit, detectShell }, { goarmHome }] = await Promise.all([
      import('./shell/init.js'),
      import('./core/home.js'),
    ]);
    const home = goarmHome();
    process.stdout.write(
      (await renderInit((m[1] as 'bash' | 'zsh' | 'fish' | undefined) ?? detectShell(), home, {
        exportHome: Boolean(process.env.GOARM_HOME),
      })) + '\n',
    );
    return 0;
  } catch (e) {
    return render(e);
  }
}

/** Each command is commands/<name>.js, imported only when it runs. */
const loadCommand = (name: string): Promise<{ default: CommandModule<any, any> }> => import(`./commands/${name}.js`);

const LIGHT: Record<string, string> = { list: 'list', ls: 'list', current: 'current', which: 'which' };

/**
 * `--version`, `list`, `current` and `which` in their plain forms run their handlers without yargs, so they cost
 * little more than Node's own start-up. Anything else (--help, other options, a typo) returns undefined and goes
 * through yargs, which owns help and usage errors: the output and exit codes are the same either way.
 */
async function lightFastPath(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === '--version' && !rest.length) {
    const { packageFile } = await import('./core/package.js');
    const { readFile } = await import('node:fs/promises');
    process.stdout.write(`${JSON.parse(await readFile(packageFile.json, 'utf8')).version}\n`);
    return 0;
  }
  const cmd = Object.hasOwn(LIGHT, name ?? '') ? LIGHT[name] : undefined;
  let args: Record<string, unknown>;
  if (cmd === 'which' && rest.length === 1 && (rest[0] === 'go' || rest[0] === 'gofmt')) args = { tool: rest[0] };
  else if (cmd && cmd !== 'which' && (!rest.length || (rest.length === 1 && rest[0] === '--json')))
    args = { json: rest.length === 1 };
  else return undefined;
  try {
    await (await loadCommand(cmd)).default.handler?.({ ...args, _: [name], $0: 'goarm' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return render(e);
  }
}

export async function main(argv: string[]): Promise<number> {
  const fast = (await initFastPath(argv)) ?? (await lightFastPath(argv));
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
        '7 archive, 8 filesystem, 9 locked, 10 host.',
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
    await cli.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return render(e);
  }
}

process.exitCode = await main(process.argv.slice(2));
