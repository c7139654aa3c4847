import type { CommandModule } from 'yargs';
import { listInstalled } from '../install/versions.js';
import { context, out, printJson } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'List installed Go versions, newest first',
  builder: (y) =>
    y.option('json', { type: 'boolean', default: false, describe: 'print as JSON: [{name, version, platform, path}]' }),
  handler: async (a) => {
    const { home, cfg } = await context();
    const all = await listInstalled(home);
    if (a.json) printJson(all.map((i) => ({ ...i, default: i.name === cfg.default })));
    else if (!all.length) out('no Go versions installed; try `goarm install latest`');
    else for (const i of all) out(`${i.name === cfg.default ? '*' : ' '} ${i.name}`);
  },
};
export default command;
