import type { CommandModule } from 'yargs';
import { ERRORS } from '../core/errors.js';
import { goarmHome } from '../core/home.js';
import { renderDoctor, runDoctor } from '../doctor/index.js';
import { out, printJson } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'doctor',
  describe: 'Check this machine, PATH, environment, installs, shims, project, cgo and keys; say how to fix problems',
  builder: (y) =>
    y
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the report as JSON (schema: docs/doctor.md)',
      })
      .epilogue('Exit status: 0 when no check failed (warnings allowed), 11 when any check failed.'),
  handler: async (a) => {
    const report = await runDoctor(goarmHome(), process.env, process.cwd());
    if (a.json) printJson(report);
    else
      out(renderDoctor(report, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'));
    if (!report.ok) process.exitCode = ERRORS.E_DOCTOR_FAILED[0];
  },
};
export default command;
