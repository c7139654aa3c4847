import type { CommandModule } from 'yargs';
import { renderHome } from '../shell/launcher.js';
import { context, out, warn } from './common.js';

const command: CommandModule<object, { 'take-over': boolean }> = {
  command: 'shims',
  describe: 'Regenerate the shims, the launcher $GOARM_HOME/bin/goarm and the rendered shell init code',
  builder: (y) =>
    y.option('take-over', {
      type: 'boolean',
      default: false,
      describe: 'make this goarm the owner of GOARM_HOME even when another installation owns it',
    }),
  handler: async (a) => {
    const { home } = await context();
    const r = await renderHome(home, { takeOver: a['take-over'] });
    if (!r.files.length)
      warn(
        `goarm: ${home.root} belongs to the goarm in ${r.owner}, which keeps its shims; ` +
          'run that goarm, or this one with --take-over',
      );
    for (const f of r.files) out(f);
  },
};
export default command;
