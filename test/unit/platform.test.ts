import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryInfo, goArch, host, simulation, sysctlCommand } from '../../src/core/platform.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'goarm-platform-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function file(bytes: Buffer): string {
  const p = path.join(tmp, `bin${n++}`);
  writeFileSync(p, bytes);
  return p;
}

/** A minimal ELF header: e_ident (class, data, version), e_type EXEC, e_machine, e_version. */
function elf(is64: boolean, le: boolean, machine: number): Buffer {
  const b = Buffer.alloc(is64 ? 64 : 52);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = is64 ? 2 : 1;
  b[5] = le ? 1 : 2;
  b[6] = 1; // EV_CURRENT
  if (le) {
    b.writeUInt16LE(2, 16);
    b.writeUInt16LE(machine, 18);
    b.writeUInt32LE(1, 20);
  } else {
    b.writeUInt16BE(2, 16);
    b.writeUInt16BE(machine, 18);
    b.writeUInt32BE(1, 20);
  }
  return b;
}

/** A thin Mach-O header: magic, cputype, cpusubtype, filetype MH_EXECUTE, no load commands. */
function macho(magic: number, le: boolean, cputype: number): Buffer {
  const b = Buffer.alloc(32);
  const w = (v: number, off: number) => (le ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off));
  w(magic, 0);
  w(cputype, 4);
  w(3, 8);
  w(2, 12);
  return b;
}

/** A universal binary: big-endian fat header and fat_arch (or fat_arch_64) records, then the slices. */
function fat(cputypes: number[], is64 = false): Buffer {
  const rec = is64 ? 32 : 20;
  const head = Buffer.alloc(8 + rec * cputypes.length);
  head.writeUInt32BE(is64 ? 0xcafebabf : 0xcafebabe, 0);
  head.writeUInt32BE(cputypes.length, 4);
  const slices = cputypes.map((c) => macho(0xfeedfacf, true, c));
  cputypes.forEach((c, i) => {
    const o = 8 + i * rec,
      offset = 4096 * (i + 1);
    head.writeUInt32BE(c, o);
    if (is64) {
      head.writeBigUInt64BE(BigInt(offset), o + 8);
      head.writeBigUInt64BE(32n, o + 16);
      head.writeUInt32BE(12, o + 24);
    } else {
      head.writeUInt32BE(offset, o + 8);
      head.writeUInt32BE(32, o + 12);
      head.writeUInt32BE(12, o + 16);
    }
  });
  const out = Buffer.alloc(4096 * (cputypes.length + 1));
  head.copy(out);
  slices.forEach((s, i) => s.copy(out, 4096 * (i + 1)));
  return out;
}

describe('goArch', () => {
  it.each([
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['ia32', '386'],
    ['arm', 'arm'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64'],
    ['loong64', 'loong64'],
  ])('%s -> %s', (node, go) => expect(goArch(node)).toBe(go));
  it('ppc64 follows the host byte order (Node has no ppc64le)', () => {
    expect(['ppc64le', 'ppc64']).toContain(goArch('ppc64'));
  });
});

describe('binaryInfo', () => {
  it.each([
    ['amd64', true, true, 0x3e],
    ['arm64', true, true, 0xb7],
    ['386', false, true, 0x03],
    ['arm', false, true, 0x28],
    ['riscv64', true, true, 0xf3],
    ['ppc64le', true, true, 0x15],
    ['ppc64', true, false, 0x15],
    ['s390x', true, false, 0x16],
  ] as const)('ELF %s', async (arch, is64, le, machine) => {
    expect(await binaryInfo(file(elf(is64, le, machine)))).toEqual({ format: 'elf', os: 'linux', archs: [arch] });
  });

  it.each([
    ['arm64, 64-bit little-endian', 0xfeedfacf, true, 0x0100000c, 'arm64'],
    ['amd64, 64-bit little-endian', 0xfeedfacf, true, 0x01000007, 'amd64'],
    ['386, 32-bit little-endian', 0xfeedface, true, 7, '386'],
    ['arm64, 64-bit big-endian header', 0xfeedfacf, false, 0x0100000c, 'arm64'],
  ] as const)('Mach-O %s', async (_name, magic, le, cpu, arch) => {
    expect(await binaryInfo(file(macho(magic, le, cpu)))).toEqual({ format: 'macho', os: 'darwin', archs: [arch] });
  });

  it('universal binaries list every slice, fat and fat64', async () => {
    expect(await binaryInfo(file(fat([0x01000007, 0x0100000c])))).toEqual({
      format: 'fat',
      os: 'darwin',
      archs: ['amd64', 'arm64'],
    });
    expect(await binaryInfo(file(fat([0x0100000c], true)))).toEqual({ format: 'fat', os: 'darwin', archs: ['arm64'] });
  });

  it('names a CPU it does not know instead of guessing', async () => {
    expect(await binaryInfo(file(macho(0xfeedfacf, true, 0x0200000c)))).toEqual({
      format: 'macho',
      os: 'darwin',
      archs: ['cputype-0x200000c'],
    });
  });

  it('is not fooled by a Java class file (also 0xcafebabe)', async () => {
    const cls = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41, 0x00, 0x0d, ...Buffer.alloc(64)]);
    expect(await binaryInfo(file(cls))).toBeUndefined();
  });

  it('returns undefined for scripts, short files, directories and missing files', async () => {
    expect(await binaryInfo(file(Buffer.from('#!/bin/sh\necho hi\n')))).toBeUndefined();
    expect(await binaryInfo(file(Buffer.from([0x7f, 0x45])))).toBeUndefined();
    expect(await binaryInfo(tmp)).toBeUndefined();
    expect(await binaryInfo(path.join(tmp, 'missing'))).toBeUndefined();
  });

  it('reads the real /bin/sh and node binaries of this machine', async () => {
    const want = { format: 'elf', os: 'linux', archs: [goArch(process.arch)] };
    expect(await binaryInfo('/bin/sh')).toEqual(want);
    expect(await binaryInfo(process.execPath)).toEqual(want);
  });
});

describe('host', () => {
  let dirs = 0;
  /** A directory holding a fake `sysctl` that answers the two names goarm asks about, and logs each call. */
  function fakeSysctl(answers: { arm64?: string; translated?: string; exit?: number }): {
    env: NodeJS.ProcessEnv;
    log: string;
  } {
    const dir = path.join(tmp, `sysctl${dirs++}`);
    mkdirSync(dir);
    const log = path.join(dir, 'calls.log');
    const answer = (v?: string) => (v === undefined ? ':' : `echo ${v}`); // -i: unknown names print nothing
    writeFileSync(
      path.join(dir, 'sysctl'),
      `#!/bin/sh
echo "$*" >> '${log}'
[ "$1" = "-in" ] || { echo "usage" >&2; exit 2; }
case "$2" in
  hw.optional.arm64) ${answer(answers.arm64)} ;;
  sysctl.proc_translated) ${answer(answers.translated)} ;;
esac
exit ${answers.exit ?? 0}
`,
    );
    chmodSync(path.join(dir, 'sysctl'), 0o755);
    writeFileSync(log, '');
    return { env: { GOARM_SIMULATE_OS: 'darwin', PATH: dir }, log };
  }
  const native = goArch(process.arch);

  it('on this Linux machine: the real OS and arch, no Apple Silicon, no translation', () => {
    expect(host({ PATH: process.env.PATH })).toEqual({
      os: process.platform,
      arch: native,
      appleSilicon: false,
      translated: false,
    });
  });

  it('Apple Silicon, native: arm64', () => {
    const { env, log } = fakeSysctl({ arm64: '1', translated: '0' });
    expect(host(env)).toEqual({ os: 'darwin', arch: 'arm64', appleSilicon: true, translated: false });
    expect(readFileSync(log, 'utf8')).toBe('-in hw.optional.arm64\n-in sysctl.proc_translated\n');
  });

  it('Apple Silicon under Rosetta: still arm64, and translated', () => {
    const { env } = fakeSysctl({ arm64: '1', translated: '1' });
    expect(host(env)).toEqual({ os: 'darwin', arch: 'arm64', appleSilicon: true, translated: true });
  });

  it('an Intel Mac (hw.optional.arm64 unknown): the process arch', () => {
    const { env } = fakeSysctl({ translated: '0' });
    expect(host(env)).toEqual({ os: 'darwin', arch: native, appleSilicon: false, translated: false });
  });

  it('a failing or missing sysctl means no Apple Silicon and no translation', () => {
    expect(host(fakeSysctl({ arm64: '1', translated: '1', exit: 1 }).env)).toMatchObject({
      appleSilicon: false,
      translated: false,
      arch: native,
    });
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    expect(host({ GOARM_SIMULATE_OS: 'darwin', PATH: empty })).toEqual({
      os: 'darwin',
      arch: native,
      appleSilicon: false,
      translated: false,
    });
  });

  it('asks sysctl once per process', () => {
    const { env, log } = fakeSysctl({ arm64: '1', translated: '0' });
    const first = host(env);
    first.arch = 'mutated'; // callers get a copy
    expect(host(env)).toEqual({ os: 'darwin', arch: 'arm64', appleSilicon: true, translated: false });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('test hooks (GOARM_SIMULATE_*) and the facts host detection trusts', () => {
  it('are validated in one place: unknown values are an E_USAGE error, never ignored', () => {
    expect(simulation({})).toEqual({});
    expect(simulation({ GOARM_SIMULATE_OS: 'darwin', GOARM_SIMULATE_NATIVE_CPU: 'x86_64' })).toEqual({
      os: 'darwin',
      nativeCpu: 'x86_64',
    });
    expect(simulation({ GOARM_SIMULATE_NOW: '2026-06-01' }).now?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    const bad: [NodeJS.ProcessEnv, RegExp][] = [
      [{ GOARM_SIMULATE_OS: 'windows' }, /^GOARM_SIMULATE_OS="windows" is not valid: use darwin or linux/],
      [{ GOARM_SIMULATE_OS: 'darwin', GOARM_SIMULATE_NATIVE_CPU: 'ppc' }, /NATIVE_CPU="ppc" is not valid/],
      [{ GOARM_SIMULATE_NATIVE_CPU: 'x86_64' }, /it needs GOARM_SIMULATE_OS=darwin/],
      [{ GOARM_SIMULATE_NOW: 'next tuesday' }, /GOARM_SIMULATE_NOW="next tuesday" is not valid: use an ISO date/],
    ];
    for (const [env, message] of bad) {
      let e: unknown;
      try {
        simulation(env);
      } catch (x) {
        e = x;
      }
      expect(e).toMatchObject({ code: 'E_USAGE', exitCode: 2, message: expect.stringMatching(message) });
      expect(() => host({ ...env, PATH: '' })).toThrow();
    }
  });

  it('a real Mac runs /usr/sbin/sysctl by absolute path (no PATH entry can answer); a simulated one the fake', () => {
    expect(sysctlCommand({ PATH: '/tmp/evil' })).toBe('/usr/sbin/sysctl');
    expect(sysctlCommand({ GOARM_SIMULATE_OS: 'darwin' })).toBe('sysctl');
  });
});
