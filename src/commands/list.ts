import type { CommandModule } from 'yargs';
import { host } from '../core/platform.js';
import { listInstalled } from '../install/versions.js';
import { describeSource, pickInstalled, type Resolution, resolveDir } from '../select/resolve.js';
import { findSystemGo } from '../select/system.js';
import { context, out, printJson, warn } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'list',
  describe: 'List installed Go versions, newest first; * marks the default, and the one active here says why',
  builder: (y) =>
    y.option('json', {
      type: 'boolean',
      default: false,
      describe: 'print as JSON: [{name, version, platform, path, default, active, why?}]',
    }),
  handler: async (a) => {
    const { home, cfg } = await context();
    const all = await listInstalled(home);
    const installed = all.filter((i) => !i.platform).map((i) => i.version);
    // The default and the active version are what resolution picks (a spec like 1.23 names its newest 1.23.x).
    let here: Resolution | undefined;
    try {
      here = await resolveDir(process.cwd(), { home, env: process.env, installed, global: cfg, hostArch: host().arch });
    } catch (e) {
      if ((e as { code?: string }).code !== 'E_NO_VERSION') warn(`note: ${(e as Error).message}`);
    }
    const def = cfg.default ? pickInstalled(cfg.default, installed) : undefined;
    // `system`: the first go on PATH outside goarm, usable as a version name (goarm default system).
    const sys = await findSystemGo(home, process.env);
    const system = sys && { name: 'system', version: sys.version ?? null, path: sys.root, system: true };
    const marks = [
      ...all.map((i) => ({
        ...i,
        default: !i.platform && i.version === def,
        active: !i.platform && i.version === here?.version,
      })),
      ...(system ? [{ ...system, default: cfg.default === 'system', active: here?.version === 'system' }] : []),
    ];
    if (a.json) return void printJson(marks.map((m) => (m.active && here ? { ...m, why: describeSource(here) } : m)));
    if (!marks.length) return void out('no Go versions installed; try `goarm install 1.23`');
    for (const m of marks) {
      const notes = [
        ...(m.default ? [cfg.default === m.version ? 'default' : `default: ${cfg.default}`] : []),
        ...(m.active && here ? [`active here, ${describeSource(here)}`] : []),
      ];
      const what = 'system' in m ? `system (go${m.version ?? '?'} at ${m.path})` : m.name;
      out(`${m.default ? '*' : ' '} ${what}${notes.length ? `  (${notes.join('; ')})` : ''}`);
    }
  },
};
export default command;
