import type { CommandModule } from 'yargs';
import { uninstall } from '../install/versions.js';
import { context, out } from './common.js';

// The positional is `name`, not `version`: yargs reserves `version` for --version, and a positional of that name
// arrives as a boolean instead of the user's argument.
const command: CommandModule<object, { name: string }> = {
  command: 'uninstall <name>',
  describe: 'Remove an installed Go version (exact version only, never a fuzzy match)',
  builder: (y) =>
    y.positional('name', {
      type: 'string',
      demandOption: true,
      describe: 'the exact installed version, e.g. 1.23.4 or 1.23.4-darwin-arm64',
    }),
  handler: async (a) => {
    const { home } = await context();
    out(`removed go${await uninstall(home, String(a.name))}`);
  },
};
export default command;
