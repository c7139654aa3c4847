import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { host } from '../core/platform.js';
import { type TreeReport, verifyTree } from '../install/manifest.js';
import { type Installed, listInstalled } from '../install/versions.js';
import { requireInstalled, resolveHere } from '../select/environment.js';
import { out, printJson } from './common.js';

interface Args {
  name?: string;
  all: boolean;
  json: boolean;
}

function describe(r: TreeReport): string[] {
  if (!r.manifest)
    return [`go${r.name}: no install manifest (installed before goarm recorded them), so it cannot be verified`];
  if (r.ok) return [`go${r.name}: ok, every file matches the install manifest`];
  const n = (k: number, what: string) => (k ? [`${k} ${what}`] : []);
  return [
    `go${r.name}: ${[
      ...n(r.changed.length, 'changed'),
      ...n(r.added.length, 'added'),
      ...n(r.missing.length, 'missing'),
      ...n(r.wrongArch.length, 'wrong-arch'),
    ].join(', ')}`,
    ...r.changed.map((c) => `  changed    ${c.path} (${c.what})`),
    ...r.added.map((p) => `  added      ${p}`),
    ...r.missing.map((p) => `  missing    ${p}`),
    ...r.wrongArch.map((w) => `  wrong arch ${w.path} is ${w.found}, not ${r.os}/${r.arch}`),
  ];
}

const command: CommandModule<object, Args> = {
  // The positional is `name`, not `version`: yargs reserves `version` (see uninstall).
  command: 'verify [name]',
  describe: 'Check installed Go roots against their install manifests: added, changed, missing or wrong-arch files',
  builder: (y) =>
    y
      .positional('name', {
        type: 'string',
        describe: 'an installed version, e.g. 1.23.4; default: the one that applies here',
      })
      .option('all', { type: 'boolean', default: false, describe: 'verify every installed version' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print as JSON: [{name, path, os, arch, manifest, ok, added, missing, changed, wrongArch}]',
      }),
  handler: async (a) => {
    const home = goarmHome();
    const all = await listInstalled(home);
    let targets: Installed[];
    if (a.all) targets = all;
    else {
      const name =
        a.name === undefined
          ? requireInstalled(await resolveHere(home, process.cwd(), process.env)).version
          : String(a.name).replace(/^go/, '');
      const hit = all.find((i) => i.name === name);
      if (!hit)
        throw err(
          'E_NOT_INSTALLED',
          `go${name} is not installed`,
          `installed: ${all.map((i) => i.name).join(', ') || 'none'}; verify takes an exact version, or --all`,
        );
      targets = [hit];
    }
    const h = host();
    const reports: TreeReport[] = [];
    for (const i of targets) {
      const [os, arch] = i.platform ? i.platform.split('/') : [h.os, h.arch];
      reports.push(await verifyTree(home, i.name, i.path, { os, arch }));
    }
    if (a.json) printJson(reports);
    else if (!reports.length) out('no Go versions installed');
    else for (const r of reports) out(describe(r).join('\n'));
    const bad = reports.filter((r) => !r.ok);
    if (bad.length)
      throw err(
        'E_TREE_MODIFIED',
        `${bad.map((r) => `go${r.name}`).join(', ')} ` +
          `${bad.some((r) => r.manifest) ? 'differ from what was installed' : 'cannot be verified'}`,
        `reinstall: ${bad
          .map(
            (r) =>
              `goarm uninstall ${r.name} && goarm install ${r.name.split('-')[0]}` +
              `${r.name.includes('-') ? ` --os ${r.os} --arch ${r.arch}` : ''}`,
          )
          .join('; ')}`,
      );
  },
};
export default command;
