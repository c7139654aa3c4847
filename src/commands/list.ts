import type { CommandModule } from 'yargs';
import { listInstalled } from '../install/versions.js';
import { findSystemGo } from '../select/system.js';
import { context, out, printJson } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'List installed Go versions, newest first',
  builder: (y) =>
    y.option('json', { type: 'boolean', default: false, describe: 'print as JSON: [{name, version, platform, path}]' }),
  handler: async (a) => {
    const { home, cfg } = await context();
    const all = await listInstalled(home);
    // `system`: the first go on PATH outside goarm, usable as a version name (goarm default system).
    const sys = await findSystemGo(home, process.env);
    const system = sys && { name: 'system', version: sys.version ?? null, path: sys.root, system: true };
    if (a.json)
      return void printJson(
        [...all, ...(system ? [system] : [])].map((i) => ({ ...i, default: i.name === cfg.default })),
      );
    if (!all.length) out('no Go versions installed; try `goarm install latest`');
    else for (const i of all) out(`${i.name === cfg.default ? '*' : ' '} ${i.name}`);
    if (sys) out(`${cfg.default === 'system' ? '*' : ' '} system (go${sys.version ?? '?'} at ${sys.root})`);
  },
};
export default command;
