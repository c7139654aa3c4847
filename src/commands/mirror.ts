// `goarm mirror sync` builds a static, verified mirror directory; `goarm mirror presets` lists the built-in mirrors.

import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { host } from '../core/platform.js';
import { parsePlatform, syncMirror } from '../install/mirror-sync.js';
import { PRESETS } from '../install/mirrors.js';
import { publishVulnDb } from '../lifecycle/vulndb.js';
import { context, out, printJson, warn } from './common.js';

const command: CommandModule = {
  command: 'mirror <action>',
  describe: 'Build a verified mirror directory for offline installs, or list mirror presets',
  builder: (y: Argv) =>
    y
      .command(
        'sync <dir> <specs..>',
        'Download, verify and publish releases into <dir> (index.json, tarballs, .asc); re-runnable',
        (s) =>
          s
            .positional('dir', {
              type: 'string',
              demandOption: true,
              describe: 'the mirror directory (created if needed)',
            })
            .positional('specs', {
              type: 'string',
              array: true,
              demandOption: true,
              describe: 'versions, as for install',
            })
            .option('platform', {
              type: 'string',
              array: true,
              describe: 'os/arch to include (repeatable); default: this machine',
            })
            .option('vulndb', {
              type: 'boolean',
              default: true,
              describe: 'also copy the vulnerability database into <dir>/vulndb (--no-vulndb to skip)',
            })
            .option('json', { type: 'boolean', default: false })
            .example('$0 mirror sync /srv/gomirror 1.23 1.22 --platform linux/amd64 --platform darwin/arm64', '')
            .example('$0 install --from /srv/gomirror 1.23', 'later, offline'),
        async (a) => {
          const { home, cfg } = await context();
          const h = host();
          const platforms = ((a.platform as string[] | undefined) ?? [`${h.os}/${h.arch}`]).map(parsePlatform);
          const files = await syncMirror(home, cfg, a.dir as string, (a.specs as string[]).map(String), platforms, {
            warn,
            onFile: (f) => {
              if (!a.json) out(`${f.status === 'fetched' ? 'fetched   ' : 'up to date'} ${f.filename}`);
            },
          });
          const vulndb = a.vulndb
            ? await publishVulnDb(home, cfg.vulndbUrl, join(a.dir as string, 'vulndb'), warn)
            : undefined;
          if (a.json) printJson({ dir: a.dir, files, vulndb: vulndb ?? null });
          else {
            out(
              `${a.dir}: index.json lists ${files.length} verified file(s); ` +
                `install from it with: goarm install --from ${a.dir} <version>`,
            );
            if (vulndb !== undefined)
              out(`${a.dir}/vulndb: ${vulndb} Go vulnerability entries; offline, set vulndb_url to that directory`);
          }
        },
      )
      .command(
        'presets',
        'The built-in mirror presets for `goarm config set mirror`',
        (s) => s.option('json', { type: 'boolean', default: false }),
        (a) => {
          if (a.json) {
            printJson(PRESETS);
            return;
          }
          for (const [name, p] of Object.entries(PRESETS))
            out(
              `${name.padEnd(9)} ${p.describe}\n          index ${p.index}\n` +
                `          files ${[...p.files, p.official].join(', then ')}`,
            );
        },
      )
      .demandCommand(1, 'name an action: sync or presets'),
  handler: () => {},
};
export default command;
