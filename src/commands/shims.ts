import type { CommandModule } from 'yargs';
import { renderShims } from '../shell/shims.js';
import { context, out } from './common.js';

const command: CommandModule = {
  command: 'shims',
  describe: 'Regenerate the go and gofmt shims in $GOARM_HOME/shims',
  handler: async () => {
    const { home } = await context();
    for (const f of await renderShims(home)) out(f);
  },
};
export default command;
