import type { CommandModule } from 'yargs';
import { ExitCode } from '../core/errors.js';
import { loadIndex } from '../install/release-index.js';
import { outdated } from '../lifecycle/outdated.js';
import { loadVulnDb } from '../lifecycle/vulndb.js';
import { describeVulns } from '../lifecycle/vulns.js';
import { context, out, printJson, warn } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'outdated',
  describe: 'Show installed, default and project Go versions that are behind, unsupported or vulnerable',
  builder: (y) =>
    y
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print as JSON: {rows: [{kind, where, spec, version, newest, behind, support, vulns}], vulndb}',
      })
      .epilogue('Exit status: 0 when everything is current, 11 when something is behind or out of support.'),
  handler: async (a) => {
    const { home, cfg } = await context();
    const index = await loadIndex(home, cfg.indexUrl, warn);
    const db = process.env.GOARM_VULNDB === 'off' ? undefined : await loadVulnDb(home, cfg.vulndbUrl, warn);
    const rows = await outdated(home, cfg, index.releases, db?.entries, process.env);
    if (rows.some((r) => r.behind)) process.exitCode = ExitCode.ATTENTION;
    if (a.json) {
      const vulndb = db
        ? { url: db.url, fetchedAt: db.fetchedAt, modified: db.modified, fromCache: db.fromCache }
        : null;
      return void printJson({ rows, vulndb });
    }
    if (!rows.length) return void out('no Go versions installed and no default set; try `goarm install latest`');
    const width = Math.max(...rows.map((r) => r.where.length));
    for (const r of rows) {
      const s = r.support;
      const state = !r.version
        ? `go${r.spec}: not installed`
        : !s
          ? `go${r.version}`
          : [
              `go${r.version}`,
              r.newest && r.newest !== r.version ? `→ go${r.newest} available` : 'newest patch',
              s.supported ? '' : `go${s.minor} unsupported since go${s.endedBy}`,
            ]
              .filter(Boolean)
              .join(', ');
      const spec = r.spec && r.spec !== r.version ? ` (${r.spec})` : '';
      out(`${r.kind.padEnd(9)} ${r.where.padEnd(width)}${spec}  ${state}`);
      if (r.vulns?.count) out(`          ${describeVulns(r.vulns)}`);
    }
    out(
      rows.some((r) => r.behind)
        ? 'run `goarm upgrade <minor>` (or --all); unsupported minors get no security fixes: move to a newer one'
        : 'everything is current',
    );
  },
};
export default command;
