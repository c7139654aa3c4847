import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { requireInstalled, resolveHere, rootOf } from '../select/environment.js';
import { context, out } from './common.js';

const command: CommandModule<object, { tool: string }> = {
  command: 'which <tool>',
  describe: 'Print the path of the real go or gofmt binary that applies here',
  builder: (y) => y.positional('tool', { type: 'string', choices: ['go', 'gofmt'], demandOption: true }),
  handler: async (a) => {
    const { home } = await context();
    const r = requireInstalled(await resolveHere(home, process.cwd(), process.env));
    out(join(rootOf(home, r), 'bin', a.tool));
  },
};
export default command;
