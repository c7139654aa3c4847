// `goarm use`: the shell integration (init code rendered from shims/init.<shell> + shims/completion.<shell>),
// and the shell code that switches one shell to an installed version. The shim reads GOARM_VERSION as an
// exact directory name under versions/, so `use` always sets the exact installed name, never a spec.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { err } from '../core/errors.js';
import type { Home } from '../core/home.js';
import { packageFile } from '../core/package.js';
import { fillCompletion } from './completion.js';
import { fishQuote, q, quoteFor, SHELLS, type Shell } from './quote.js';

const isShell = (s: string | undefined): s is Shell => SHELLS.includes(s as Shell);

/** What the init code runs: GOARM_HOME/bin/goarm, the launcher that survives Node or the package moving. */
export interface InitPaths {
  goarm: string;
}
const defaultPaths = (home: Home): InitPaths => ({ goarm: home.launcher });
const template = (name: string) => readFile(packageFile.template(name), 'utf8');

/** The shell that runs us (the parent process: `eval "$(goarm use)"` runs it), else $SHELL. */
export function detectShell(env: NodeJS.ProcessEnv = process.env): Shell {
  const name = (s: string | undefined) => s && basename(s.trim()).replace(/^-/, '');
  let parent: string | undefined;
  try {
    parent = readFileSync(`/proc/${process.ppid}/comm`, 'utf8'); // Linux: no process to start
  } catch {
    try {
      parent = execFileSync('ps', ['-o', 'comm=', '-p', String(process.ppid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      /* no ps: fall back to $SHELL */
    }
  }
  for (const s of [name(parent), name(env.SHELL)]) if (isShell(s)) return s;
  throw err('E_USAGE', 'cannot tell which shell this is', 'pass --shell bash, --shell zsh or --shell fish');
}

/** Fills a template's @…@ placeholders; every value is quoted for the target shell. */
function fill(text: string, shell: Shell, home: Home, paths: InitPaths, exportHome: boolean): string {
  const Q = quoteFor(shell);
  // bin/ (the launcher, so `goarm` works in scripts too) goes on PATH when it exists, behind the shims.
  const front = [...(existsSync(home.launcher) ? [home.bin] : []), home.shims];
  const setHome = shell === 'fish' ? `set -gx GOARM_HOME ${Q(home.root)}` : `export GOARM_HOME=${Q(home.root)}`;
  return text
    .replace('@EXPORT_HOME@', exportHome ? setHome : '')
    .replaceAll('@FRONT@', front.map(Q).join(' '))
    .replace('@FRONT_LINES@', front.map((d) => `__goarm_front ${Q(d)}`).join('\n'))
    .replaceAll('@HOME@', Q(home.root))
    .replaceAll('@RESOLVE@', Q(home.resolveCache))
    .replaceAll('@VERSIONS@', Q(home.versions))
    .replaceAll('@GOARM@', Q(paths.goarm));
}

/** Tab completion alone (`goarm completion <shell>`); the init code includes it. */
export async function renderCompletion(shell: Shell, home: Home, paths = defaultPaths(home)): Promise<string> {
  return fill(fillCompletion(await template(`completion.${shell}`), shell, quoteFor(shell)), shell, home, paths, false);
}

/**
 * The init code: PATH, the `goarm` function, the prompt hook, completion. GOARM_HOME is exported only when
 * it was set when rendering, so the shims' node calls and the function agree with the hook on the home.
 */
export async function renderInit(
  shell: Shell,
  home: Home,
  opts: { paths?: InitPaths; exportHome?: boolean } = {},
): Promise<string> {
  const paths = opts.paths ?? defaultPaths(home);
  const init = fill(await template(`init.${shell}`), shell, home, paths, opts.exportHome ?? false);
  return `${init}\n${await renderCompletion(shell, home, paths)}`;
}

/** The exact installed directory name for a spec (host-native only), or E_NOT_INSTALLED saying how to get it. */
export async function installedFor(home: Home, spec: string): Promise<string> {
  // Loaded here, not above: printing the init code (every new shell) needs neither.
  const [{ listInstalled }, { pickInstalled }] = await Promise.all([
    import('../install/versions.js'),
    import('../select/resolve.js'),
  ]);
  const native = (await listInstalled(home)).filter((i) => !i.platform);
  const v = pickInstalled(
    spec,
    native.map((i) => i.version),
  );
  const hit = v && native.find((i) => i.version === v);
  if (!hit)
    throw err('E_NOT_INSTALLED', `no installed Go matches ${spec}; nothing was changed`, `run: goarm install ${spec}`);
  return hit.name;
}

/** Shell code that sets GOARM_VERSION for this shell, or unsets it (back to per-directory versions). */
export function versionCode(shell: Shell, name: string | undefined): string {
  if (shell === 'fish') return name === undefined ? 'set -e GOARM_VERSION' : `set -gx GOARM_VERSION ${fishQuote(name)}`;
  return name === undefined ? 'unset GOARM_VERSION' : `export GOARM_VERSION=${q(name)}`;
}

/** Shell code that prints `text`: under --emit, everything the command says goes through the shell function. */
export const printCode = (shell: Shell, text: string) => `printf '%s\\n' ${quoteFor(shell)(text)}`;
