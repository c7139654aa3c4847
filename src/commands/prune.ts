import type { CommandModule } from 'yargs';
import { goarmHome } from '../core/home.js';
import { describeReasons, humanSize, planPrune } from '../install/prune.js';
import { uninstall } from '../install/versions.js';
import { ask, interactive as isTerminal, out, printJson } from './common.js';

interface Args {
  'dry-run': boolean;
  yes: boolean;
  json: boolean;
}

/** Always shows the plan first (the dry run). Removes only after a "y" on a terminal, or with --yes. */
const command: CommandModule<object, Args> = {
  command: 'prune',
  describe:
    'Remove versions that are not the newest patch of their minor, a default, or used by a project goarm has seen',
  builder: (y) =>
    y
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'only show what would be removed' })
      .option('yes', {
        alias: 'y',
        type: 'boolean',
        default: false,
        describe: 'remove without asking (needed when not on a terminal)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print as JSON: {keep, remove, removed, dryRun}; never asks',
      }),
  handler: async (a) => {
    const home = goarmHome();
    const plan = await planPrune(home, process.env);
    const interactive = isTerminal() && !a.json;
    const go = a.yes && !a['dry-run'];
    if (!a.json) {
      const width = Math.max(0, ...[...plan.keep, ...plan.remove].map((e) => e.name.length));
      for (const k of plan.keep) out(`keep    go${k.name.padEnd(width)}  ${describeReasons(k)}`);
      for (const r of plan.remove) out(`remove  go${r.name.padEnd(width)}  ${humanSize(r.bytes)}`);
      if (!plan.remove.length) out('nothing to prune');
    }
    const removed: string[] = [];
    const total = humanSize(plan.remove.reduce((n, r) => n + r.bytes, 0));
    if (
      plan.remove.length &&
      (go ||
        (!a['dry-run'] &&
          interactive &&
          (await ask(`remove ${plan.remove.length} version${plan.remove.length > 1 ? 's' : ''} (${total})? [y/N] `))))
    ) {
      for (const r of plan.remove) removed.push(await uninstall(home, r.name));
      if (!a.json) out(`removed ${removed.map((n) => `go${n}`).join(', ')} (${total} freed)`);
    } else if (plan.remove.length && !a.json) {
      out(
        a['dry-run']
          ? 'dry run: nothing was removed'
          : interactive
            ? 'nothing was removed'
            : 'not a terminal, so nothing was removed: run `goarm prune --yes` to remove them',
      );
    }
    if (a.json) printJson({ keep: plan.keep, remove: plan.remove, removed, dryRun: !go });
  },
};
export default command;
