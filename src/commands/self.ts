// `goarm self update` and `goarm self uninstall`, as rustup names them. An update goes the way goarm was
// installed: install.sh's copy in GOARM_HOME/lib runs its own install.sh (registry mode), an npm-global one runs
// `npm install -g` into the same prefix; a checkout is left to git. Both end with the new goarm rendering the
// launcher, shims and init files. Uninstall removes GOARM_HOME and exactly the rc lines install.sh added.
import { spawnSync } from 'node:child_process';
import { readFile, realpath, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { exists } from '../core/fs.js';
import { goarmHome, type Home } from '../core/home.js';
import { PACKAGE_ROOT, packageVersion } from '../core/package.js';
import { humanSize, size } from '../install/prune.js';
import { homeOwner } from '../shell/launcher.js';
import { applyRcCleanup, planRcCleanup, rcFiles } from '../shell/rcfiles.js';
import { ask, interactive, out, printJson, warn } from './common.js';

interface Args {
  action: 'update' | 'uninstall';
  yes: boolean;
  json: boolean;
  target?: string;
}

function runInherit(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.error || r.status !== 0)
    throw err('E_SELF_UPDATE', `${[cmd, ...args].join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

async function update(home: Home, version: string): Promise<void> {
  const pkg = await realpath(PACKAGE_ROOT);
  const lib = await realpath(join(home.root, 'lib')).catch(() => undefined);
  const before = await packageVersion();
  if (pkg === lib) {
    // install.sh says "upgraded X → Y" itself, and renders the home as its owner.
    runInherit('sh', [join(pkg, 'install.sh'), '--no-modify-rc', '--version', version]);
    return;
  }
  const npmGlobal = pkg.endsWith(`${sep}node_modules${sep}goarm`) && !(await exists(join(pkg, 'src')));
  if (!npmGlobal)
    throw err(
      'E_USAGE',
      `this goarm runs from ${pkg}, a checkout, not an installed package`,
      'update it with git pull && npm ci && npm run build (or run its ./install.sh)',
    );
  // <prefix>/lib/node_modules/goarm on Unix: the same prefix, whatever npm's configured one is now.
  const prefix = join(pkg, '..', '..', '..');
  runInherit('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', `goarm@${version}`]);
  const after = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')).version as string;
  // The new goarm renders its launcher, shims and init files (only if it owns the home; it says so otherwise).
  if ((await homeOwner(home)) === pkg || !(await homeOwner(home))) runInherit(join(pkg, 'bin', 'goarm'), ['shims']);
  out(after === before ? `goarm ${after} is already the newest` : `upgraded goarm ${before} → ${after}`);
}

async function uninstall(home: Home, a: Args): Promise<void> {
  const root = home.root;
  const user = process.env.HOME || homedir();
  // Never remove something that is not a goarm home (GOARM_HOME=$HOME by mistake, or /).
  const marks = await Promise.all(['bin/goarm', 'shims', 'versions', 'config.toml'].map((f) => exists(join(root, f))));
  const present = await exists(root);
  if (present && (root === '/' || root === user || !marks.some(Boolean)))
    throw err('E_USAGE', `${root} does not look like a goarm home; nothing was removed`, 'check GOARM_HOME');
  const bytes = present ? await size(root) : 0;
  const plans = (await Promise.all(rcFiles().map(planRcCleanup))).filter((p) => p !== undefined);
  const edits = plans.filter((p) => p.removed.length);
  const pkg = await realpath(PACKAGE_ROOT);
  const npmLeft = pkg.endsWith(`${sep}node_modules${sep}goarm`) && !pkg.startsWith(root + sep);
  if (a.json && !a.yes) throw err('E_USAGE', '--json needs --yes (nothing can be asked)', 'add --yes');
  if (!a.json) {
    out(present ? `remove ${root} (${humanSize(bytes)}: every installed Go, caches, settings)` : `${root} is gone`);
    for (const p of edits) out(`remove from ${p.file}: ${p.removed[1]}`);
  }
  if (!a.yes) {
    if (!interactive())
      throw err('E_USAGE', 'self uninstall asks first, and this is not a terminal', 'run: goarm self uninstall --yes');
    if (!(await ask('go ahead? [y/N] '))) return void out('nothing was removed');
  }
  for (const p of edits) await applyRcCleanup(p);
  await rm(root, { recursive: true, force: true });
  const left = plans.flatMap((p) => p.left.map((n) => `${p.file}:${n}`));
  if (a.json) return void printJson({ removed: root, bytes, rcFiles: edits.map((p) => p.file), left, npm: npmLeft });
  out(`removed ${root}`);
  for (const l of left) warn(`note: ${l} still loads goarm (not added by install.sh): remove that line yourself`);
  if (npmLeft) warn(`note: the goarm command itself is ${pkg}; remove it with: npm uninstall -g goarm`);
}

const command: CommandModule<object, Args> = {
  command: 'self <action> [target]',
  describe: 'Update goarm itself, or uninstall it (GOARM_HOME and the rc lines it added)',
  builder: (y) =>
    y
      .positional('action', { choices: ['update', 'uninstall'] as const, demandOption: true })
      .positional('target', { type: 'string', describe: 'update: the goarm version to install (default: latest)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'uninstall: do not ask' })
      .option('json', { type: 'boolean', default: false, describe: 'uninstall: print what was removed as JSON' })
      .example('$0 self update', 'the newest goarm, installed the way this one was')
      .example('$0 self update 0.2.0', 'a given version')
      .example('$0 self uninstall', 'shows the size of GOARM_HOME and the rc lines, then asks'),
  handler: async (a) => {
    const home = goarmHome(); // not context(): a broken config.toml must not stop an uninstall
    if (a.action === 'update') await update(home, a.target ?? 'latest');
    else await uninstall(home, a);
  },
};
export default command;
