import type { CommandModule } from 'yargs';
import { parseSpec } from '../install/release-index.js';
import { setGlobalDefault } from '../select/config.js';
import { context, installedHint, out } from './common.js';

const command: CommandModule<object, { spec: string }> = {
  command: 'default <spec>',
  describe: 'Set the global default Go version (config.toml default = "<spec>")',
  builder: (y) =>
    y.positional('spec', {
      type: 'string',
      demandOption: true,
      describe: 'e.g. 1.23 or 1.23.4; system = the go on PATH',
    }),
  handler: async (a) => {
    if (a.spec !== 'system') parseSpec(a.spec);
    const { home } = await context();
    await setGlobalDefault(home, a.spec);
    out(`default set to go ${a.spec}`);
    await installedHint(home, a.spec);
  },
};
export default command;
