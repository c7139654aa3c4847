import type { CommandModule } from 'yargs';
import { nativeVersions } from '../install/versions.js';
import { setGlobalDefault } from '../select/config.js';
import { pickInstalled } from '../select/resolve.js';
import { renderHome } from '../shell/launcher.js';
import { ask, context, interactive, out, warn } from './common.js';

const command: CommandModule<object, { spec: string; install: boolean }> = {
  command: 'default <spec>',
  describe: 'Set the global default Go version (config.toml default = "<spec>")',
  builder: (y) =>
    y
      .positional('spec', {
        type: 'string',
        demandOption: true,
        describe: 'e.g. 1.23 or 1.23.4; system = the go on PATH',
      })
      .option('install', {
        type: 'boolean',
        default: false,
        describe: 'install it first when no installed version matches (asked on a terminal otherwise)',
      }),
  handler: async (a) => {
    // The install pipeline (HTTP, OpenPGP) loads only when something must be installed.
    const { parseSpec } = await import('../install/release-index.js');
    if (a.spec !== 'system') parseSpec(a.spec);
    const { home, cfg } = await context();
    const missing = a.spec !== 'system' && !pickInstalled(a.spec, await nativeVersions(home));
    // Installed before the default changes, so a failed install leaves the old default in place.
    if (missing && (a.install || (interactive() && (await ask(`go ${a.spec} is not installed; install it? [y/N] `))))) {
      const { install } = await import('../install/pipeline.js');
      const r = await install(home, cfg, a.spec, { quiet: false, warn });
      out(`installed go${r.version} (${r.os}/${r.arch}) in ${r.dir}`);
      await renderHome(home);
    } else if (missing) warn(`note: no installed version matches ${a.spec}; run: goarm default ${a.spec} --install`);
    await setGlobalDefault(home, a.spec);
    out(`default set to go ${a.spec}`);
  },
};
export default command;
