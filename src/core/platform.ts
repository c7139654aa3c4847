// Host detection and binary headers. Apple Silicon first: a Node (or shell) running under Rosetta
// reports x64, but the machine is arm64 and that is what goarm installs and builds for.
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { err } from './errors.js';
import { nativeHelper } from './native.js';

type GoOS = 'linux' | 'darwin' | string;
export type GoArch = 'amd64' | 'arm64' | '386' | 'arm' | string;
export interface Host {
  os: GoOS;
  arch: GoArch;
  appleSilicon: boolean;
  translated: boolean;
}
export interface BinaryInfo {
  format: 'elf' | 'macho' | 'fat';
  os: GoOS;
  archs: GoArch[];
}

const NODE_TO_GO: Record<string, GoArch> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  ppc: 'ppc',
};

/** Node's process.arch in Go's spelling. ppc64 is ppc64le on a little-endian host (Node has no separate name). */
export function goArch(nodeArch: string): GoArch {
  if (nodeArch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return NODE_TO_GO[nodeArch] ?? nodeArch;
}

/**
 * The test hooks, read and validated here and nowhere else. They exist so that the macOS code paths run in tests on
 * Linux; a wrong value is an error, never silently ignored.
 *   GOARM_SIMULATE_OS=darwin|linux  replaces process.platform; `sysctl` is then looked up on PATH (a fake one).
 *   GOARM_SIMULATE_NATIVE_CPU=arm64|x86_64  (darwin only) which slice of bash counts as native when the shims are
 *       rendered (default arm64, as on a real Mac); x86_64 lets a test machine's own bash play a native one.
 *   GOARM_SIMULATE_NOW=<ISO date>  moves "today" for date-dependent checks (doctor's key expiry).
 */
export const SIMULATION_HOOKS = ['GOARM_SIMULATE_OS', 'GOARM_SIMULATE_NATIVE_CPU', 'GOARM_SIMULATE_NOW'] as const;
export interface Simulation {
  os?: 'darwin' | 'linux';
  nativeCpu?: 'arm64' | 'x86_64';
  now?: Date;
}

export function simulation(env: NodeJS.ProcessEnv = process.env): Simulation {
  const bad = (name: string, value: string, want: string) =>
    err('E_USAGE', `${name}=${JSON.stringify(value.slice(0, 40))} is not valid: ${want}`, `unset ${name}`);
  const sim: Simulation = {};
  const { GOARM_SIMULATE_OS: os, GOARM_SIMULATE_NATIVE_CPU: cpu, GOARM_SIMULATE_NOW: now } = env;
  if (os) {
    if (os !== 'darwin' && os !== 'linux') throw bad('GOARM_SIMULATE_OS', os, 'use darwin or linux (a test hook)');
    sim.os = os;
  }
  if (cpu) {
    if (cpu !== 'arm64' && cpu !== 'x86_64') throw bad('GOARM_SIMULATE_NATIVE_CPU', cpu, 'use arm64 or x86_64');
    if (sim.os !== 'darwin') throw bad('GOARM_SIMULATE_NATIVE_CPU', cpu, 'it needs GOARM_SIMULATE_OS=darwin');
    sim.nativeCpu = cpu;
  }
  if (now) {
    const t = Date.parse(now);
    if (Number.isNaN(t)) throw bad('GOARM_SIMULATE_NOW', now, 'use an ISO date such as 2026-06-01');
    sim.now = new Date(t);
  }
  return sim;
}

/**
 * The sysctl command: /usr/sbin/sysctl by absolute path on a real Mac, so no PATH entry can answer for it; a
 * simulated darwin uses the (fake) `sysctl` on PATH.
 */
export const sysctlCommand = (env: NodeJS.ProcessEnv = process.env) =>
  simulation(env).os ? 'sysctl' : '/usr/sbin/sysctl';

/**
 * `sysctl -in <name>` prints 1; a missing sysctl, an unknown name or any failure means false. On a real Mac
 * with the native helper loaded, sysctlbyname(3) answers without a fork. Never an environment variable
 * (HOSTTYPE, MACHTYPE): a caller can set those.
 */
function sysctlFlag(name: string, env: NodeJS.ProcessEnv): boolean {
  const simulated = Boolean(simulation(env).os);
  const sysctlInt = !simulated && process.platform === 'darwin' ? nativeHelper(env)?.sysctlInt : undefined;
  if (sysctlInt) return sysctlInt(name) === 1;
  try {
    // child_process on first use: loading it costs every light command ~8 ms at start-up.
    const out = process.getBuiltinModule('node:child_process').execFileSync(sysctlCommand(env), ['-in', name], {
      env,
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() === '1';
  } catch {
    return false;
  }
}

const cache = new Map<string, Host>();

/**
 * The machine goarm serves: hw.optional.arm64 says Apple Silicon even in a translated process (which Node then
 * reports as x64), sysctl.proc_translated says whether this process runs under Rosetta. Cached per process (per
 * simulated OS and PATH).
 */
export function host(env: NodeJS.ProcessEnv = process.env): Host {
  const os: GoOS = simulation(env).os || process.platform;
  const key = `${os}\0${env.PATH ?? ''}`;
  let h = cache.get(key);
  if (!h) {
    const appleSilicon = os === 'darwin' && sysctlFlag('hw.optional.arm64', env);
    const translated = os === 'darwin' && sysctlFlag('sysctl.proc_translated', env);
    h = { os, arch: appleSilicon ? 'arm64' : goArch(process.arch), appleSilicon, translated };
    cache.set(key, h);
  }
  return { ...h };
}

const ELF_MACHINE: Record<number, (le: boolean, is64: boolean) => GoArch> = {
  0x03: () => '386',
  0x08: (le, is64) => (is64 ? 'mips64' : 'mips') + (le ? 'le' : ''),
  0x14: () => 'ppc',
  0x15: (le) => (le ? 'ppc64le' : 'ppc64'),
  0x16: () => 's390x',
  0x28: () => 'arm',
  0x3e: () => 'amd64',
  0xb7: () => 'arm64',
  0xf3: () => 'riscv64',
  0x102: () => 'loong64',
};

const MACHO_CPU: Record<number, GoArch> = {
  7: '386',
  0x01000007: 'amd64',
  12: 'arm',
  0x0100000c: 'arm64',
  18: 'ppc',
  0x01000012: 'ppc64',
};
const machoArch = (cpu: number): GoArch => MACHO_CPU[cpu] ?? `cputype-0x${cpu.toString(16)}`;

/** Reads what a binary is built for from its header. undefined: not an ELF or Mach-O file (or unreadable). */
export async function binaryInfo(path: string): Promise<BinaryInfo | undefined> {
  let buf: Buffer;
  try {
    const fd = openSync(path, 'r'); // a 4 KiB header: sync, like core/fs.ts
    try {
      buf = Buffer.alloc(4096);
      buf = buf.subarray(0, readSync(fd, buf, 0, 4096, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  return parseHeader(buf);
}

function parseHeader(b: Buffer): BinaryInfo | undefined {
  if (b.length < 8) return undefined;
  if (b.readUInt32BE(0) === 0x7f454c46) {
    if (b.length < 20) return undefined;
    const is64 = b[4] === 2,
      le = b[5] === 1;
    if (![1, 2].includes(b[4]) || ![1, 2].includes(b[5])) return undefined;
    const machine = le ? b.readUInt16LE(18) : b.readUInt16BE(18);
    const arch = ELF_MACHINE[machine]?.(le, is64) ?? `e_machine-0x${machine.toString(16)}`;
    return { format: 'elf', os: 'linux', archs: [arch] };
  }
  for (const le of [false, true]) {
    const magic = le ? b.readUInt32LE(0) : b.readUInt32BE(0);
    if (magic === 0xfeedface || magic === 0xfeedfacf)
      return { format: 'macho', os: 'darwin', archs: [machoArch(le ? b.readUInt32LE(4) : b.readUInt32BE(4))] };
  }
  const fat = b.readUInt32BE(0);
  if (fat === 0xcafebabe || fat === 0xcafebabf) {
    // Java class files share 0xcafebabe; their "count" is the class version (>= 45). Universal binaries have a few.
    const n = b.readUInt32BE(4);
    const size = fat === 0xcafebabf ? 32 : 20;
    if (n < 1 || n >= 20 || b.length < 8 + n * size) return undefined;
    const archs = Array.from({ length: n }, (_, i) => machoArch(b.readUInt32BE(8 + i * size)));
    return { format: 'fat', os: 'darwin', archs };
  }
  return undefined;
}
