import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { fromMirror } from '../install/mirrors.js';
import { install, installArchive } from '../install/pipeline.js';
import { renderShims } from '../shell/shims.js';
import { context, out, printJson, warn } from './common.js';

interface Args {
  specs?: string[];
  os?: string;
  arch?: string;
  quiet: boolean;
  json: boolean;
  refresh: boolean;
  'skip-signature': boolean;
  from?: string;
  file?: string;
  asc?: string;
  index?: string;
}

const command: CommandModule<object, Args> = {
  command: 'install [specs..]',
  describe: 'Download, verify and install Go releases',
  builder: (y) =>
    y
      .positional('specs', {
        type: 'string',
        array: true,
        describe: '1.23 (newest 1.23.x), 1.23.4, go1.23.4, 1.24rc1, latest',
      })
      .option('os', { type: 'string', describe: 'install for another OS (GOOS name)' })
      .option('arch', { type: 'string', describe: 'install for another architecture (GOARCH name)' })
      .option('from', {
        type: 'string',
        describe: 'a mirror directory or URL made by `goarm mirror sync` (its index.json and files)',
      })
      .option('file', {
        type: 'string',
        describe: 'import a release tarball already on disk (offline); needs its .asc',
      })
      .option('asc', { type: 'string', describe: 'with --file: the signature (default: <file>.asc)' })
      .option('index', {
        type: 'string',
        describe: 'with --file: the index to take the SHA-256 from (default: the cached index)',
      })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress bar or messages' })
      .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON' })
      .option('refresh', {
        type: 'boolean',
        default: false,
        describe: 'ask for the release index now, even if the cached one is fresh (GOARM_INDEX_TTL)',
      })
      .option('skip-signature', {
        type: 'boolean',
        default: false,
        describe: 'DANGEROUS: install without an OpenPGP signature (SHA-256 is still checked)',
      })
      .conflicts('file', ['from', 'os', 'arch'])
      .example('$0 install 1.23', 'newest stable 1.23.x')
      .example('$0 install 1.22.5 latest', 'two releases')
      .example('$0 install --from /srv/gomirror 1.23', 'from a directory made by `goarm mirror sync`')
      .example(
        '$0 install --file go1.23.4.darwin-arm64.tar.gz',
        'an archive carried in; go1.23.4.darwin-arm64.tar.gz.asc beside it',
      ),
  handler: async (a) => {
    const { home, cfg } = await context();
    const specs = a.specs ?? [];
    const usage = (msg: string, hint: string) => err('E_USAGE', msg, hint);
    // With --from or --file the index is not the official one, so the signature is the check that cannot be skipped.
    if (a['skip-signature'] && (a.from || a.file))
      throw usage(
        '--skip-signature cannot be used with --from or --file',
        'a mirror directory or a file must carry its .asc; `goarm mirror sync` copies them',
      );
    if (a.file ? specs.length > 0 : specs.length === 0)
      throw usage(
        a.file ? '--file installs the release it names; give no version' : 'name a version to install',
        'e.g. goarm install 1.23, or goarm install --file go1.23.4.linux-amd64.tar.gz',
      );
    if ((a.asc || a.index) && !a.file)
      throw usage(
        '--asc and --index go with --file',
        'goarm install --file <tarball> [--asc <file>] [--index <index.json>]',
      );
    const settings = a.from ? fromMirror(cfg, a.from) : cfg;
    const results = [];
    const runs = a.file
      ? [() => installArchive(home, settings, a.file!, { quiet: a.quiet, warn, asc: a.asc, index: a.index })]
      : specs.map(
          (spec) => () =>
            install(home, settings, spec, {
              os: a.os,
              arch: a.arch,
              quiet: a.quiet,
              refresh: a.refresh,
              skipSignature: a['skip-signature'],
              warn,
            }),
        );
    for (const run of runs) {
      const r = await run();
      results.push(r);
      if (a.json || a.quiet) continue;
      out(
        r.already
          ? `go${r.version} is already installed in ${r.dir}`
          : `installed go${r.version} (${r.os}/${r.arch}) in ${r.dir}`,
      );
    }
    await renderShims(home); // a new goarm version may have changed the template
    if (a.json) printJson(results);
  },
};
export default command;
