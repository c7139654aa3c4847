import type { CommandModule } from 'yargs';
import { resolveHere } from '../select/environment.js';
import { describeSource } from '../select/resolve.js';
import { context, out, printJson } from './common.js';

const command: CommandModule<object, { json: boolean }> = {
  command: 'current',
  describe: 'Show which Go applies in this directory, and why',
  builder: (y) =>
    y.option('json', {
      type: 'boolean',
      default: false,
      describe: 'print as JSON: {version, spec, installed, source, settingsFile, trusted, ignored, env, archPin}',
    }),
  handler: async (a) => {
    const { home } = await context();
    const r = await resolveHere(home, process.cwd(), process.env);
    if (a.json) {
      const { settings: _s, searchedDirs: _d, readFiles: _f, ...rest } = r;
      return void printJson({ ...rest, installed: Boolean(r.version) });
    }
    out(
      r.version
        ? `go${r.version} (${describeSource(r)})`
        : `go${r.installSpec} (${describeSource(r)}) — not installed; run: goarm install ${r.installSpec}`,
    );
    if (!r.version) process.exitCode = 4;
  },
};
export default command;
