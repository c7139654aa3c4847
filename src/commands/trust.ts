import type { CommandModule } from 'yargs';
import { loadProjectConfig, PROJECT_FILE } from '../select/config.js';
import { listTrusted, trust } from '../select/trust.js';
import { context, out, printJson, target } from './common.js';

interface Args {
  list: boolean;
  json: boolean;
  path?: string;
}

/** `goarm trust [path]`: lets a .goarm.toml's [env], cc and flags take effect. `--list` shows what is trusted. */
const command: CommandModule<object, Args> = {
  command: 'trust [path]',
  describe: `Trust ./${PROJECT_FILE} (or [path]) so its [env], cc and flags apply; an edit needs trusting again`,
  builder: (y) =>
    y
      .positional('path', { type: 'string', describe: `a ${PROJECT_FILE} or its directory` })
      .option('list', {
        type: 'boolean',
        default: false,
        describe: 'list trusted files (current = unchanged since trusted)',
      })
      .option('json', { type: 'boolean', default: false }),
  handler: async (a) => {
    const { home } = await context();
    if (a.list) {
      const all = await listTrusted(home);
      if (a.json) return void printJson(all);
      for (const t of all) out(`${t.current ? 'trusted' : 'changed'}  ${t.path}`);
      return;
    }
    const file = target(a.path);
    const cfg = await loadProjectConfig(file); // refuse to trust a file that does not validate
    out(`trusted ${await trust(home, file)}`);
    const risky = [
      ...Object.keys(cfg.env).map((k) => `env.${k}`),
      ...(['cc', 'cflags', 'ldflags'] as const).filter((k) => cfg.cgo[k] !== undefined).map((k) => `cgo.${k}`),
    ];
    if (risky.length) out(`now applied: ${risky.join(', ')}`);
  },
};

export default command;
