import type { CommandModule } from 'yargs';
import { untrust } from '../select/trust.js';
import { context, out, target } from './common.js';

const command: CommandModule<object, { path?: string }> = {
  command: 'untrust [path]',
  describe: 'Stop trusting ./.goarm.toml (or [path])',
  builder: (y) => y.positional('path', { type: 'string' }),
  handler: async (a) => {
    const { home } = await context();
    const file = target(a.path);
    out((await untrust(home, file)) ? `no longer trusted: ${file}` : `was not trusted: ${file}`);
  },
};
export default command;
