import type { CommandModule } from 'yargs';
import { parseSpec } from '../install/release-index.js';
import { pinProjectVersion } from '../select/config.js';
import { context, installedHint, out } from './common.js';

const command: CommandModule<object, { spec: string }> = {
  command: 'pin <spec>',
  describe: 'Pin this directory to a Go version: writes go = "<spec>" in ./.goarm.toml, keeping comments',
  builder: (y) =>
    y.positional('spec', {
      type: 'string',
      demandOption: true,
      describe: 'e.g. 1.23 or 1.23.4; system = the go on PATH',
    }),
  handler: async (a) => {
    if (a.spec !== 'system') parseSpec(a.spec);
    const { home } = await context();
    const file = await pinProjectVersion(process.cwd(), a.spec);
    out(`pinned ${file} to go ${a.spec}`);
    await installedHint(home, a.spec);
  },
};
export default command;
