import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { SPEC_HINT, specProblem } from '../select/config.js';
import { detectShell, installedFor, printCode, versionCode } from '../shell/init.js';
import { currentInit } from '../shell/launcher.js';
import { SHELLS, type Shell } from '../shell/quote.js';
import { context, out, warn } from './common.js';

interface Args {
  spec?: string;
  shell?: Shell;
  global: boolean;
  unset: boolean;
  emit?: Shell;
}

const command: CommandModule<object, Args> = {
  command: 'use [spec]',
  describe: 'Print the shell integration (no version), or switch this shell to an installed Go version',
  builder: (y) =>
    y
      .positional('spec', { type: 'string', describe: 'e.g. 1.22 (newest installed 1.22.x) or 1.22.5' })
      .option('global', {
        alias: 'g',
        type: 'boolean',
        default: false,
        describe: 'set the global default instead (same as `goarm default`)',
      })
      .option('unset', { type: 'boolean', default: false, describe: 'return this shell to per-directory versions' })
      .option('shell', { choices: SHELLS, describe: 'the shell to print code for (default: detected)' })
      // Set by the `goarm` shell function: stdout must then be code for that shell, which the function runs.
      .option('emit', { choices: SHELLS, hidden: true })
      .example('eval "$(goarm use)"', 'in ~/.bashrc or ~/.zshrc')
      .example('goarm use | source', 'in ~/.config/fish/config.fish')
      .example('$0 use 1.22', 'this shell only (needs the shell integration)')
      .example('$0 use 1.23 --global', 'the default everywhere'),
  handler: async (a) => {
    const { home } = await context();
    const say = (text: string) => out(a.emit ? printCode(a.emit, text) : text);
    if (a.unset && (a.spec || a.global))
      throw err('E_USAGE', '--unset takes no version and no --global', 'run: goarm use --unset');
    if (a.global) {
      if (!a.spec) throw err('E_USAGE', '--global needs a version', 'e.g. goarm use 1.23 --global');
      // Exactly `goarm default`, whose modules load only here: the init code (every new shell) needs none of them.
      const [{ parseSpec }, { setGlobalDefault }, { installedHint }] = await Promise.all([
        import('../install/release-index.js'),
        import('../select/config.js'),
        import('./common.js'),
      ]);
      if (a.spec !== 'system') parseSpec(a.spec);
      await setGlobalDefault(home, a.spec);
      say(`default set to go ${a.spec}`);
      await installedHint(home, a.spec);
      if (process.env.GOARM_VERSION)
        warn(`note: this shell still uses go${process.env.GOARM_VERSION} (goarm use); run: goarm use --unset`);
      return;
    }
    if (!a.spec && !a.unset)
      return void say((await currentInit(home, a.shell ?? a.emit ?? detectShell())).replace(/\n$/, ''));

    const bad = a.spec === undefined ? undefined : specProblem(a.spec);
    if (bad) throw err('E_BAD_SPEC', bad, SPEC_HINT);
    // Not yet for one shell: the shims read GOARM_VERSION as versions/<name>, and `system` is not one of those.
    if (a.spec === 'system')
      throw err(
        'E_USAGE',
        '`goarm use system` is supported only with --global',
        "run `goarm use system --global`, or write system in the project's .go-version",
      );
    const name = a.spec === undefined ? undefined : await installedFor(home, a.spec);
    const shell = a.emit ?? a.shell ?? detectShell();
    out(versionCode(shell, name));
    const what = name
      ? `go${name} in this shell (goarm use --unset to undo)`
      : 'per-directory Go versions again in this shell';
    if (a.emit) return void warn(`goarm: using ${what}`);
    const args = [a.spec ?? '--unset', ...(a.shell ? ['--shell', a.shell] : [])].join(' ');
    const direct = shell === 'fish' ? `goarm use ${args} | source` : `eval "$(goarm use ${args})"`;
    const load = shell === 'fish' ? 'goarm use | source' : 'eval "$(goarm use)"';
    warn(
      `goarm: this printed shell code; \`${direct}\` runs it, ` +
        `and with \`${load}\` in your shell's rc file \`goarm use ${a.spec ?? '--unset'}\` does it directly`,
    );
  },
};
export default command;
