// What goarm keeps in GOARM_HOME so that shells and shims never depend on where Node or the package lives:
// bin/goarm (the launcher: it names the package that owns the home and the Node that wrote it), the shims, and
// init/init.<shell> (the shell integration, rendered ahead so that `goarm use` in an rc file prints it without
// Node). Rendered by install, `self update`, `goarm shims` and whenever `goarm use` finds the files stale.
//
// Ownership: the launcher records its package. Another installation (an npm-global goarm beside an install.sh
// one) leaves the home's files alone while that package still exists, so the two never rewrite each other's
// shims; install.sh and `self update` take the home over explicitly (`goarm shims --take-over`).
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, exists, readOptional } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { PACKAGE_ROOT, packageFile, packageVersion } from '../core/package.js';
import { renderInit } from './init.js';
import { q, SHELLS, type Shell } from './quote.js';
import { renderShims } from './shims.js';

/** The launcher's text for a package directory and a Node binary. */
export async function launcherText(home: Home, pkg: string, node: string): Promise<string> {
  return (await readFile(packageFile.template('launcher.sh'), 'utf8'))
    .replace('@VERSION@', await packageVersion())
    .replace('@PKG@', q(pkg))
    .replace('@NODE@', q(node))
    .replace('@HOME@', q(home.root));
}

/** The package directory the home's launcher runs, or undefined when there is no launcher. */
export async function homeOwner(home: Home): Promise<string | undefined> {
  const m = /^_goarm_pkg='(.*)'$/m.exec((await readOptional(home.launcher)) ?? '');
  return m?.[1]?.replaceAll(`'\\''`, `'`);
}

/** The first line of every init file; bin/goarm prints the file only when it names bin/goarm's own version. */
const initHeader = (version: string) =>
  `# goarm-init ${version} (rendered by goarm; rewritten by install, self update, goarm shims and goarm use)`;

export interface HomeFiles {
  /** The package that owns the home (ours, unless another installation that still exists does). */
  owner: string;
  /** What was written: empty when another installation owns the home. */
  files: string[];
}

/** Renders the launcher, the shims and the init files, unless another goarm that still exists owns the home. */
export async function renderHome(home: Home, opts: { takeOver?: boolean } = {}): Promise<HomeFiles> {
  const me = await realpath(PACKAGE_ROOT);
  const owner = await homeOwner(home);
  if (owner && owner !== me && !opts.takeOver && (await exists(join(owner, 'dist', 'cli.js'))))
    return { owner, files: [] };
  await mkdir(home.bin, { recursive: true });
  await atomicWrite(home.launcher, await launcherText(home, me, process.execPath), { mode: 0o755 });
  const shims = await renderShims(home);
  await mkdir(home.init, { recursive: true });
  const header = initHeader(await packageVersion());
  const inits = await Promise.all(
    SHELLS.map(async (shell) => {
      const file = join(home.init, `init.${shell}`);
      await atomicWrite(file, `${header}\n${await renderInit(shell, home, { exportHome: true })}\n`);
      return file;
    }),
  );
  return { owner: me, files: [home.launcher, ...shims, ...inits] };
}

/**
 * The init code `goarm use` prints: the rendered file, rendered first when it is missing or from another goarm
 * version. When another installation owns the home, or the home cannot be written, rendered in memory.
 */
export async function currentInit(home: Home, shell: Shell): Promise<string> {
  const file = join(home.init, `init.${shell}`);
  const header = initHeader(await packageVersion());
  const text = await readOptional(file);
  if (text?.startsWith(`${header}\n`)) return text;
  try {
    if ((await renderHome(home)).files.length) return await readFile(file, 'utf8');
  } catch {
    // a home that cannot be written (read-only, full): the shell still gets its code, rendered in memory
  }
  return renderInit(shell, home, { exportHome: Boolean(process.env.GOARM_HOME) });
}
