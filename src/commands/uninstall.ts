import type { CommandModule } from 'yargs';
import { uninstall } from '../installed.js';
import { context, out } from './common.js';

const command: CommandModule<object, { version: string }> = {
  command: 'uninstall <version>',
  describe: 'Remove an installed Go version (exact version only, never a fuzzy match)',
  builder: (y) => y.positional('version', { type: 'string', demandOption: true, describe: 'e.g. 1.23.4' }),
  handler: async (a) => {
    const { home } = await context();
    out(`removed go${await uninstall(home, a.version)}`);
  },
};
export default command;
