import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { host } from '../core/platform.js';
import { displayUrl } from '../install/http.js';
import { fromMirror, isOfficialIndex } from '../install/mirrors.js';
import { install, installArchive } from '../install/pipeline.js';
import { parseSpec } from '../install/release-index.js';
import { vulnReports } from '../lifecycle/report.js';
import { describeVulns } from '../lifecycle/vulns.js';
import { setGlobalDefault } from '../select/config.js';
import { resolveHere } from '../select/environment.js';
import { describeSource } from '../select/resolve.js';
import { renderHome } from '../shell/launcher.js';
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
        describe: '1.23 (newest 1.23.x), 1.23.4, go1.23.4, 1.24rc1, latest; none: what this directory needs',
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
      .example('$0 install 1.23', 'newest stable 1.23.x (the first Go installed becomes the default)')
      .example('$0 install', "what this directory's .goarm.toml, .go-version, .tool-versions or go.mod asks for")
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
    // Unless the index is Google's, its hashes are only as good as its operator: the signature cannot be skipped.
    if (a['skip-signature'] && (a.from || a.file || !isOfficialIndex(cfg.indexUrl)))
      throw usage(
        `--skip-signature needs Google's own index; the hashes here come from ${
          a.from ? '--from' : a.file ? '--index or the cached index' : displayUrl(cfg.indexUrl)
        }`,
        'without a signature nothing proves that index genuine; get the .asc files (`goarm mirror sync` copies them)',
      );
    if (a.file && specs.length > 0)
      throw usage('--file installs the release it names; give no version', 'goarm install --file <tarball>');
    for (const spec of specs) parseSpec(spec); // a bad spec is refused before any network access
    if (!a.file && specs.length === 0) {
      // No version: what this directory needs, as `goenv install` and `mise install` do.
      const r = await resolveHere(home, process.cwd(), { ...process.env, GOARM_VERSION: '' }).catch((e) => {
        throw (e as { code?: string }).code === 'E_NO_VERSION'
          ? usage('nothing here names a Go version, so name one to install', 'e.g. goarm install 1.23')
          : e;
      });
      if (r.version) return void out(`go${r.version} (${describeSource(r)}) is already installed`);
      if (!a.quiet) warn(`goarm: installing go${r.installSpec} (${describeSource(r)})`);
      specs.push(r.installSpec);
    }
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
    await renderHome(home); // a new goarm version may have changed the templates
    // The first Go installed becomes the default when none is set (as fnm does), so `go` works at once.
    const first = results.find((r) => !r.already && r.os === host().os && r.arch === host().arch);
    if (first && !cfg.default) {
      await setGlobalDefault(home, first.version);
      if (!a.json && !a.quiet)
        warn(
          `goarm: go${first.version} is now the default (the first Go installed); change it: goarm default <version>`,
        );
    }
    // Known vulnerabilities of what was just installed (an exact old patch, or a minor out of support).
    const vulns = await vulnReports(home, cfg, [...new Set(results.map((r) => r.version))], warn);
    if (a.json)
      return void printJson(
        results.map((r) => ({ ...r, vulnerabilities: vulns?.find((v) => v.version === r.version) ?? null })),
      );
    for (const v of vulns ?? []) if (v.count) warn(`warning: ${describeVulns(v)}`);
  },
};
export default command;
