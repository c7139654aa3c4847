import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../core/fs.js';
import type { Home } from '../core/home.js';
import { withLock } from '../core/lock.js';
import { packageFile, packageVersion } from '../core/package.js';
import { host, SIMULATION_HOOKS, simulation, sysctlCommand } from '../core/platform.js';
import { q } from './quote.js';

export const TOOLS = ['go', 'gofmt'] as const;
const TEMPLATE = packageFile.template('shim.sh');

// On Apple Silicon the shim refuses a Rosetta-translated caller: it would build amd64 binaries and run an x86 go.
// Only facts the caller cannot set decide (never HOSTTYPE or MACHTYPE: bash keeps inherited ones). In bash (macOS
// /bin/sh) BASH_VERSINFO[5] is compiled into each slice of the universal binary and read-only: no fork. `command
// eval` because dash and zsh cannot parse it (dash would exit) and a caller may export BASH_VERSION to them. Any
// other shell, or an unknown machine type: one `sysctl -in sysctl.proc_translated`, by absolute path on a real Mac.
const ARM = 'arm64-*|aarch64-*';
const X86 = 'x86_64-*|i386-*|i686-*';
function rosetta(): string {
  const sim = simulation();
  const [native, translated] = sim.nativeCpu === 'x86_64' ? [X86, ARM] : [ARM, X86];
  return (
    `if [ -z "\${GOARM_ALLOW_ROSETTA-}" ]; then
  _goarm_mt=
  # shellcheck disable=SC3028,SC3054 # bash only; elsewhere empty
  [ -z "\${BASH_VERSION-}" ] || command eval '_goarm_mt=\${BASH_VERSINFO[5]-}' 2>/dev/null
  case "$_goarm_mt" in
    ${native}) _goarm_tr= ;;
    ${translated}) _goarm_tr=1 ;;
    *) [ "$(${sysctlCommand()} -in sysctl.proc_translated 2>/dev/null)" = 1 ] && _goarm_tr=1 || _goarm_tr= ;;
  esac
  if [ -n "$_goarm_tr" ]; then
    echo "goarm: refusing to run go under Rosetta translation: ` +
    `this shell is x86_64 on an Apple Silicon Mac, so go would build and run amd64 code [E_ROSETTA]" >&2
    echo "goarm: open a native (arm64) terminal, ` +
    `or run: arch -arm64 /bin/zsh -l  (set GOARM_ALLOW_ROSETTA=1 to override)" >&2
    exit 10
  fi
fi`
  );
}

// The resolve cache a shim's Node call writes serves every shell in that directory: a caller's test hook must not
// decide it. A shim rendered without them unsets them; one rendered under them (tests) carries their values.
function simulateLine(env: NodeJS.ProcessEnv = process.env): string {
  simulation(env); // validated
  const set = SIMULATION_HOOKS.filter((n) => env[n]);
  const unset = SIMULATION_HOOKS.filter((n) => !env[n]);
  return [
    ...(set.length ? [`export ${set.map((n) => `${n}=${q(env[n]!)}`).join(' ')}`] : []),
    ...(unset.length ? [`unset ${unset.join(' ')}`] : []),
  ].join('\n');
}

export async function renderShims(home: Home): Promise<string[]> {
  const template = await readFile(TEMPLATE, 'utf8');
  const version = await packageVersion();
  const h = host();
  await mkdir(home.shims, { recursive: true });
  return withLock(home.lock('shims'), async () =>
    Promise.all(
      TOOLS.map(async (tool) => {
        const text = template
          .replaceAll('@TOOL@', tool)
          .replaceAll('@GOARM_VERSION@', version)
          .replace('@HOME@', q(home.root))
          .replace('@SIMULATE@', simulateLine())
          .replace('@ROSETTA@', h.os === 'darwin' && h.appleSilicon ? rosetta() : '');
        const file = join(home.shims, tool);
        await atomicWrite(file, text, { mode: 0o755 });
        return file;
      }),
    ),
  );
}
