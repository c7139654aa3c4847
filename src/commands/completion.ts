import type { CommandModule } from 'yargs';
import { detectShell, renderCompletion } from '../shell/init.js';
import { SHELLS, type Shell } from '../shell/quote.js';
import { context, out } from './common.js';

/** Completion alone, for people who do not load `goarm use` (which already includes it). */
const command: CommandModule<object, { shell?: Shell }> = {
  command: 'completion [shell]',
  describe: 'Print the tab-completion script for bash, zsh or fish (already part of `goarm use`)',
  builder: (y) =>
    y
      .positional('shell', { choices: SHELLS, describe: 'default: detected' })
      .example('eval "$(goarm completion bash)"', 'in ~/.bashrc')
      .example('goarm completion fish > ~/.config/fish/completions/goarm.fish', 'fish'),
  handler: async (a) => {
    const { home } = await context();
    out(await renderCompletion(a.shell ?? detectShell(), home));
  },
};
export default command;
