import type { CommandModule } from 'yargs';
import { setGlobalDefault } from '../config.js';
import type { Home } from '../home.js';
import { nativeVersions } from '../installed.js';
import { parseSpec } from '../releases.js';
import { pickInstalled } from '../resolve.js';
import { context, out, warn } from './common.js';

/** Says how to install a spec that no installed version satisfies; returns the installed match. */
export async function installedHint(home: Home, spec: string): Promise<string | undefined> {
  const hit = pickInstalled(spec, await nativeVersions(home));
  if (!hit) warn(`note: no installed version matches ${spec}; run: goarm install ${spec}`);
  return hit;
}

const command: CommandModule<object, { spec: string }> = {
  command: 'default <spec>',
  describe: 'Set the global default Go version (config.toml default = "<spec>")',
  builder: (y) => y.positional('spec', { type: 'string', demandOption: true, describe: 'e.g. 1.23 or 1.23.4' }),
  handler: async (a) => {
    parseSpec(a.spec);
    const { home } = await context();
    await setGlobalDefault(home, a.spec);
    out(`default set to go ${a.spec}`);
    await installedHint(home, a.spec);
  },
};
export default command;
