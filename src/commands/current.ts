import type { CommandModule } from 'yargs';
import { exists } from '../core/fs.js';
import { describeVulns } from '../lifecycle/vulns.js';
import { requireInstalled, resolveHere, rootOf } from '../select/environment.js';
import { describeSource } from '../select/resolve.js';
import { context, out, printJson, warn } from './common.js';

const command: CommandModule<object, { json: boolean; root: boolean }> = {
  command: 'current',
  describe: 'Show which Go applies in this directory, and why',
  builder: (y) =>
    y
      .option('json', {
        type: 'boolean',
        default: false,
        describe:
          'print as JSON: {version, spec, installed, root, source, settingsFile, trusted, ignored, env, archPin, ' +
          'vulnerabilities}',
      })
      .option('root', {
        type: 'boolean',
        default: false,
        describe: 'print only the real GOROOT of that Go (for IDEs such as GoLand)',
      }),
  handler: async (a) => {
    const { home, cfg } = await context();
    const r = await resolveHere(home, process.cwd(), process.env);
    if (a.root) return void out(rootOf(home, requireInstalled(r)));
    const real = r.version && r.version !== 'system' ? r.version : r.systemVersion;
    // From the cached database only, and its code loaded only when there is one: `current` stays a light command
    // (install, outdated and doctor refresh the cache).
    const report = real && (await exists(home.vulnCache)) ? await import('../lifecycle/report.js') : undefined;
    const vulns = real ? (await report?.vulnReports(home, cfg, [real], warn, { cacheOnly: true }))?.[0] : undefined;
    if (a.json) {
      const { settings: _s, searchedDirs: _d, readFiles: _f, ...rest } = r;
      const root = r.version ? rootOf(home, r as typeof r & { version: string }) : null;
      return void printJson({ ...rest, installed: Boolean(r.version), root, vulnerabilities: vulns ?? null });
    }
    const name = r.version === 'system' ? `${r.systemVersion ?? '?'} (system: ${r.root})` : r.version;
    out(
      r.version
        ? `go${name} (${describeSource(r)})`
        : `go${r.installSpec} (${describeSource(r)}) — not installed; run: goarm install ${r.installSpec}`,
    );
    if (vulns?.count) warn(`warning: ${describeVulns(vulns)}`);
    if (!r.version) process.exitCode = 4;
  },
};
export default command;
