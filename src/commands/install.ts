import type { CommandModule } from 'yargs';
import { install } from '../install.js';
import { renderShims } from '../shims.js';
import { context, out, printJson, warn } from './common.js';

interface Args { specs: string[]; os?: string; arch?: string; quiet: boolean; json: boolean; 'skip-signature': boolean }

const command: CommandModule<object, Args> = {
  command: 'install <specs..>',
  describe: 'Download, verify and install Go releases',
  builder: (y) => y
    .positional('specs', { type: 'string', array: true, demandOption: true, describe: '1.23 (newest 1.23.x), 1.23.4, go1.23.4, 1.24rc1, latest' })
    .option('os', { type: 'string', describe: 'install for another OS (GOOS name)' })
    .option('arch', { type: 'string', describe: 'install for another architecture (GOARCH name)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress bar or messages' })
    .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON' })
    .option('skip-signature', { type: 'boolean', default: false, describe: 'DANGEROUS: install without an OpenPGP signature (SHA-256 is still checked)' })
    .example('$0 install 1.23', 'newest stable 1.23.x')
    .example('$0 install 1.22.5 latest', 'two releases'),
  handler: async (a) => {
    const { home, cfg } = await context();
    const results = [];
    for (const spec of a.specs) {
      const r = await install(home, cfg, spec, { os: a.os, arch: a.arch, quiet: a.quiet, skipSignature: a['skip-signature'], warn });
      results.push(r);
      if (a.json || a.quiet) continue;
      out(r.already ? `go${r.version} is already installed in ${r.dir}` : `installed go${r.version} (${r.os}/${r.arch}) in ${r.dir}`);
    }
    await renderShims(home); // a new goarm version may have changed the template
    if (a.json) printJson(results);
  },
};
export default command;
