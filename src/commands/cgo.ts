import type { CommandModule } from 'yargs';
import { analyzeCgo, renderCgo } from '../cgo/report.js';
import { err } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { out, printJson } from './common.js';

const command: CommandModule<object, { json: boolean; strict: boolean }> = {
  command: 'cgo',
  describe:
    'List the packages here that use cgo (directly or via which dependency) and what CGO_ENABLED=0 does to them',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print as JSON (schema: docs/doctor.md)' })
      .option('strict', {
        type: 'boolean',
        default: false,
        describe: 'exit 3 when cgo is off here but a package needs it (for CI)',
      }),
  handler: async (a) => {
    const report = await analyzeCgo(goarmHome(), process.cwd(), process.env);
    if (a.json) printJson(report);
    else out(renderCgo(report));
    if (a.strict && report.breaks.length)
      throw err(
        'E_CGO_REQUIRED',
        `cgo is off here but ${report.breaks.join(', ')} need${report.breaks.length > 1 ? '' : 's'} it`,
        'set cgo.enabled = true in .goarm.toml (and install a C compiler), or drop those dependencies',
      );
  },
};
export default command;
