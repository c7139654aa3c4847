import type { CommandModule } from 'yargs';
import { describeReasons, humanSize, planPrune } from '../install/prune.js';
import { uninstall } from '../install/versions.js';
import { upgrade } from '../lifecycle/upgrade.js';
import { renderShims } from '../shell/shims.js';
import { ask, context, interactive as isTerminal, out, printJson, warn } from './common.js';

interface Args {
  specs?: string[];
  all: boolean;
  pins: boolean;
  prune: boolean;
  yes: boolean;
  quiet: boolean;
  json: boolean;
}

const command: CommandModule<object, Args> = {
  command: 'upgrade [specs..]',
  describe: 'Install the newest patch of each named (or, with --all, every installed) minor',
  builder: (y) =>
    y
      .positional('specs', { type: 'string', array: true, describe: 'minors to upgrade: 1.22, 1.22.1 (its minor)' })
      .option('all', { type: 'boolean', default: false, describe: 'every installed minor' })
      .option('pins', {
        type: 'boolean',
        default: false,
        describe: 'also rewrite project pins that name an old patch (.goarm.toml, .go-version, .tool-versions)',
      })
      .option('prune', {
        type: 'boolean',
        default: false,
        describe: 'then remove the superseded patches nothing needs (`goarm prune` rules; asks on a terminal)',
      })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'with --prune: remove without asking' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress bar' })
      .option('json', { type: 'boolean', default: false, describe: 'print as JSON: {minors, default, pins, pruned}' })
      .example('$0 upgrade 1.22', 'newest 1.22.x; an exact default 1.22.1 moves to it')
      .example('$0 upgrade --all --pins --prune', 'everything, project pins too, then remove old patches'),
  handler: async (a) => {
    const { home, cfg } = await context();
    const r = await upgrade(home, cfg, (a.specs ?? []).map(String), {
      all: a.all,
      pins: a.pins,
      quiet: a.quiet || a.json,
      warn,
      env: process.env,
    });
    await renderShims(home);
    const say = (line: string) => void (a.json ? undefined : out(line));
    for (const m of r.minors)
      say(m.installed ? `installed go${m.newest} (newest go${m.minor})` : `go${m.newest} is the newest go${m.minor}`);
    const d = r.default;
    if (d?.moved) say(`default moved from go${d.from} to go${d.to}`);
    else if (d && d.spec !== d.to) say(`default ${d.spec} now picks go${d.to}`);
    for (const p of r.pins)
      say(
        p.rewritten
          ? `rewrote ${p.file}:${p.line ?? 1}: go${p.spec} → go${p.to}`
          : `${p.file}:${p.line ?? 1} still names go${p.spec}: ${p.note ?? `run with --pins to move it to go${p.to}`}`,
      );
    const pruned: string[] = [];
    if (a.prune) {
      const plan = await planPrune(home, process.env);
      const remove = plan.remove.filter((e) => r.superseded.includes(e.name));
      for (const k of plan.keep.filter((e) => r.superseded.includes(e.name)))
        say(`keep    go${k.name}  ${describeReasons(k)}`);
      for (const e of remove) say(`remove  go${e.name}  ${humanSize(e.bytes)}`);
      const interactive = isTerminal() && !a.json;
      const total = humanSize(remove.reduce((n, e) => n + e.bytes, 0));
      if (!remove.length) say('nothing to prune');
      else if (
        a.yes ||
        (interactive && (await ask(`remove ${remove.length} superseded version(s) (${total})? [y/N] `)))
      ) {
        for (const e of remove) pruned.push(await uninstall(home, e.name));
        say(`removed ${pruned.map((n) => `go${n}`).join(', ')} (${total} freed)`);
      } else
        say(interactive ? 'nothing was removed' : 'not a terminal, so nothing was removed: add --yes to remove them');
    }
    if (a.json) printJson({ ...r, pruned });
  },
};
export default command;
