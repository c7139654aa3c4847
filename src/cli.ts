// The CLI entry. Only the command being run is imported (yargs alone costs ~85 ms; each command's own modules
// stay unloaded unless used). The shims and shell hooks never come here: they use src/shim-entry.ts.
// test/integration/light-paths.test.ts fails when a light path loads undici, openpgp, tar or yargs.
// No static imports of our own: the fast paths import what they use.
import type { Argv, CommandModule } from 'yargs';

const render = async (e: unknown) => (await import('./core/errors.js')).render(e);

// Until main() has settled, exiting is a failure (1, ExitCode.INTERNAL): Node exits on its own when a promise is left
// pending with nothing to wake it, and that must never look like success.
process.exitCode = 1;

/**
 * `eval "$(goarm use)"` runs in every new shell: print the init code without loading yargs at all.
 * Returns undefined for anything but `use`, `use --shell X`, `use --shell=X`.
 */
async function initFastPath(argv: string[]): Promise<number | undefined> {
  const m = argv.join(' ').match(/^use(?:(?: --shell | --shell=)(bash|zsh|fish))?$/);
  if (!m) return undefined;
  try {
    const [{ detectShell }, { currentInit }, { goarmHome }, { writeStdout }] = await Promise.all([
      import('./shell/init.js'),
      import('./shell/launcher.js'),
      import('./core/home.js'),
      import('./core/stdout.js'),
    ]);
    // As `goarm use` through yargs: the rendered file, rendered anew when missing or from another goarm version, so
    // the next shell gets it from bin/goarm without Node.
    writeStdout(await currentInit(goarmHome(), (m[1] as 'bash' | 'zsh' | 'fish' | undefined) ?? detectShell()));
    return 0;
  } catch (e) {
    return await render(e);
  }
}

type Loaded = Promise<{ default: CommandModule<any, any> }>;
/**
 * Each command is commands/<name>.js, imported only when it runs. Spelled out (not a template) so the bundle resolves
 * each one to a plain lazy require, not Node's ESM loader; test/unit/cli-commands.test.ts matches it to COMMANDS.
 */
const COMMAND_MODULES: Record<string, () => Loaded> = {
  cgo: () => import('./commands/cgo.js'),
  completion: () => import('./commands/completion.js'),
  config: () => import('./commands/config.js'),
  current: () => import('./commands/current.js'),
  default: () => import('./commands/default.js'),
  doctor: () => import('./commands/doctor.js'),
  exec: () => import('./commands/exec.js'),
  install: () => import('./commands/install.js'),
  list: () => import('./commands/list.js'),
  login: () => import('./commands/login.js'),
  logout: () => import('./commands/logout.js'),
  'ls-remote': () => import('./commands/ls-remote.js'),
  mirror: () => import('./commands/mirror.js'),
  outdated: () => import('./commands/outdated.js'),
  pin: () => import('./commands/pin.js'),
  prune: () => import('./commands/prune.js'),
  self: () => import('./commands/self.js'),
  shims: () => import('./commands/shims.js'),
  trust: () => import('./commands/trust.js'),
  uninstall: () => import('./commands/uninstall.js'),
  untrust: () => import('./commands/untrust.js'),
  upgrade: () => import('./commands/upgrade.js'),
  use: () => import('./commands/use.js'),
  verify: () => import('./commands/verify.js'),
  which: () => import('./commands/which.js'),
};
const loadCommand = (name: string): Loaded => COMMAND_MODULES[name]();

// The plain forms that skip yargs: the boolean flags and positionals each takes. Anything else goes to yargs.
const LIGHT: Record<string, { cmd: string; flags: string[]; positional?: string; values?: string[] }> = {
  list: { cmd: 'list', flags: ['json'] },
  ls: { cmd: 'list', flags: ['json'] },
  current: { cmd: 'current', flags: ['json'] },
  which: { cmd: 'which', flags: [], positional: 'tool', values: ['go', 'gofmt'] },
  'ls-remote': { cmd: 'ls-remote', flags: ['all', 'json', 'refresh'], positional: 'prefix' },
};

/**
 * `--version`, `list`, `current`, `which` and `ls-remote` in their plain forms run their handlers without yargs, so
 * they cost little more than Node's own start-up. Anything else (--help, other options, a typo) returns undefined
 * and goes through yargs, which owns help and usage errors: the output and exit codes are the same either way.
 */
async function lightFastPath(argv: string[]): Promise<number | undefined> {
  const [name = '', ...rest] = argv;
  if (name === '--version' && !rest.length) {
    const [{ packageVersion }, { writeStdout }] = await Promise.all([
      import('./core/package.js'),
      import('./core/stdout.js'),
    ]);
    writeStdout(`${await packageVersion()}\n`);
    return 0;
  }
  const light = Object.hasOwn(LIGHT, name) ? LIGHT[name] : undefined;
  if (!light) return undefined;
  const args: Record<string, unknown> = { _: [name], $0: 'goarm' };
  for (const f of light.flags) args[f] = false;
  for (const a of rest) {
    const flag = a.startsWith('--') ? a.slice(2) : undefined;
    if (flag !== undefined && light.flags.includes(flag) && !args[flag]) args[flag] = true;
    else if (!a.startsWith('-') && light.positional && args[light.positional] === undefined) args[light.positional] = a;
    else return undefined;
  }
  const value = light.positional && args[light.positional];
  if (light.values && !light.values.includes(value as string)) return undefined;
  return runHandler(() => loadCommand(light.cmd).then((m) => m.default.handler?.(args as never)));
}

/** Runs a command to its end, then lets it exit at once (closes HTTP connections). Returns the exit code. */
async function runHandler(run: () => Promise<unknown>): Promise<number> {
  // Loaded before the command runs: `self uninstall` deletes the very files this process was loaded from.
  const [{ commandEnded }, { render }] = await Promise.all([import('./core/exit.js'), import('./core/errors.js')]);
  try {
    process.exitCode = undefined; // a command may set its own (doctor, exec); the exit guard below covers the rest
    await run();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return render(e);
  } finally {
    await commandEnded();
  }
}

async function main(argv: string[]): Promise<number> {
  const fast = (await initFastPath(argv)) ?? (await lightFastPath(argv));
  if (fast !== undefined) return fast;
  const [{ default: yargs }, { COMMANDS }, { err }] = await Promise.all([
    import('yargs'),
    import('./core/commands.js'),
    import('./core/errors.js'),
  ]);
  const name = argv.find((a) => !a.startsWith('-'));
  let cli: Argv = yargs(argv)
    .scriptName('goarm')
    .usage('$0 <command> [options]\n\nA Go toolchain manager that verifies every release it installs.')
    .strict()
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .exitProcess(false) // --help and --version return; the exit guard below then sees a finished command
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .epilogue(
      'Exit codes: 0 ok, 2 usage, 3 config, 4 not found, 5 network, 6 verification, ' +
        '7 archive, 8 filesystem, 9 locked, 10 host, 11 attention (doctor/outdated found something).',
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
  return runHandler(() => cli.parseAsync());
}

let settled = false;
// Node exiting by itself before main() settled (a promise left pending): exit 1
// and say so. Nothing calls process.exit() (yargs is told not to), so this is never a finished command.
process.on('exit', () => {
  if (settled) return;
  process.exitCode = 1;
  process.stderr.write(
    'error: internal error: goarm stopped before the command finished\nhint: this is a bug in goarm; ' +
      'rerun with GOARM_DEBUG=1 and report it\n',
  );
});
// No top-level await: the bundle is CommonJS (scripts/bundle.mjs), which starts faster than an ES module.
void main(process.argv.slice(2))
  .catch(render)
  .then((code) => {
    process.exitCode = code;
    settled = true;
  });
