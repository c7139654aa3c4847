import type { CommandModule } from 'yargs';
import { isPrerelease } from '../core/goversion.js';
import { loadIndex } from '../install/release-index.js';
import { context, out, printJson, warn } from './common.js';

interface Args {
  prefix?: string;
  all: boolean;
  json: boolean;
  refresh: boolean;
}

const command: CommandModule<object, Args> = {
  command: 'ls-remote [prefix]',
  describe: 'List Go releases available to install, oldest first',
  builder: (y) =>
    y
      .positional('prefix', { type: 'string', describe: 'only versions starting with this, e.g. 1.22' })
      .option('all', { type: 'boolean', default: false, describe: 'include rc and beta releases' })
      .option('json', { type: 'boolean', default: false, describe: 'print as JSON: [{version, stable, files}]' })
      .option('refresh', {
        type: 'boolean',
        default: false,
        describe: 'ask the server now, even if the cached index is fresh (GOARM_INDEX_TTL, default 10 min)',
      }),
  handler: async (a) => {
    const { home, cfg } = await context();
    const index = await loadIndex(home, cfg.indexUrl, warn, { refresh: a.refresh });
    const prefix = a.prefix?.replace(/^go/, '');
    const shown = (r: { version: string; stable: boolean }) =>
      (a.all || (!isPrerelease(r.version) && r.stable !== false)) &&
      (!prefix || r.version === prefix || r.version.startsWith(prefix + '.') || r.version.startsWith(prefix));
    // Without --json only the versions are needed: a cached index then skips parsing the files of every release.
    if (a.json) printJson(index.releases.filter(shown).reverse());
    else {
      const rows = index.versions.filter(shown).reverse();
      if (rows.length) out(rows.map((r) => r.version).join('\n')); // one write, not one per release
    }
  },
};
export default command;
