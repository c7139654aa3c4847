// Real .tar.gz archives in the official Go release layout, built in memory (no files on disk).
//
//   makeGoTarball({ version, os?, arch?, binArch?, extraFiles? }) -> Buffer
//       top-level go/: VERSION ("go<version>\ntime ...\n"), bin/go + bin/gofmt (0755, a real ELF64 header, or
//       Mach-O 64 for os=darwin, whose machine field names binArch ?? arch), pkg/tool/<os>_<arch>/{compile,link},
//       pkg/include/textflag.h, src/fmt/print.go, LICENSE. extraFiles maps ARCHIVE paths ("go/misc/x.txt") to
//       contents and overrides defaults of the same path (e.g. { 'go/VERSION': 'go1.22.0\n' }).
//       Like cmd/distpack output: files only (no directory entries), uid/gid 0, fixed mtime: same input, same bytes.
//   makeHostileTarball(kind, { version? }) -> Buffer: go/VERSION + go/bin/go, then one hostile member, HOSTILE[kind].
//   HOST = { os, arch }: this machine in Go's names (process.platform/process.arch mapped).
//   goArchiveName(version, os, arch) -> "go1.23.4.linux-amd64.tar.gz".
//   fakeBinary(os, arch, name) -> the bytes used for bin/go (for header-sniffing unit tests).
//   packTarGz(entries) -> a .tar.gz of arbitrary entries ({ path, body?, mode?, type?, linkpath? }), for odd cases.
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData, Pax } from 'tar';

const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
  s390x: 's390x',
  loong64: 'loong64',
};
export const HOST = {
  os: process.platform === 'win32' ? 'windows' : process.platform,
  arch: GOARCH[process.arch] ?? process.arch,
};

export const goArchiveName = (version: string, os: string, arch: string) =>
  `go${version.replace(/^go/, '')}.${os}-${arch}.tar.gz`;

const ELF_MACHINE: Record<string, number> = {
  amd64: 0x3e,
  arm64: 0xb7,
  '386': 0x03,
  arm: 0x28,
  ppc64le: 0x15,
  riscv64: 0xf3,
  s390x: 0x16,
  loong64: 0x102,
};
const MACHO_CPU: Record<string, [number, number]> = { amd64: [0x01000007, 3], arm64: [0x0100000c, 0] };

/** Just enough of an executable for header sniffing: an ELF64 (LE) or Mach-O 64 header, then a marker text. */
export function fakeBinary(os: string, arch: string, name: string): Buffer {
  const tail = Buffer.from(`\nfake ${name} for ${os}/${arch}; goarm test fixture\n`);
  if (os === 'darwin') {
    const cpu = MACHO_CPU[arch];
    if (!cpu) throw new Error(`no Mach-O cputype for ${arch}`);
    const h = Buffer.alloc(32);
    h.writeUInt32LE(0xfeedfacf, 0); // MH_MAGIC_64
    h.writeUInt32LE(cpu[0], 4);
    h.writeUInt32LE(cpu[1], 8);
    h.writeUInt32LE(2, 12); // MH_EXECUTE; ncmds, sizeofcmds, flags, reserved stay 0
    return Buffer.concat([h, tail]);
  }
  const machine = ELF_MACHINE[arch];
  if (machine === undefined) throw new Error(`no ELF e_machine for ${arch}`);
  const h = Buffer.alloc(64);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // \x7fELF, ELFCLASS64, little-endian, EV_CURRENT
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(machine, 18);
  h.writeUInt32LE(1, 20); // e_version
  h.writeUInt16LE(64, 52); // e_ehsize
  h.writeUInt16LE(56, 54); // e_phentsize
  h.writeUInt16LE(64, 58); // e_shentsize
  return Buffer.concat([h, tail]);
}

export interface Entry extends HeaderData {
  body?: Buffer | string;
}

const MTIME = new Date('2024-11-27T18:26:49Z');

/** Packs entries into a gzipped ustar stream; PAX headers only when a field does not fit ustar. */
export function packTarGz(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { body, ...data } of entries) {
    const content = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const h = new Header({ mode: 0o644, uid: 0, gid: 0, mtime: MTIME, type: 'File', ...data, size: content.length });
    if (h.encode())
      blocks.push(new Pax({ path: h.path, linkpath: h.linkpath, size: content.length, mtime: MTIME }).encode());
    blocks.push(h.block!, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function goTreeEntries(version: string, os: string, arch: string, binArch: string): Entry[] {
  const v = version.replace(/^go/, '');
  const exe = (path: string, name: string): Entry => ({ path, mode: 0o755, body: fakeBinary(os, binArch, name) });
  return [
    { path: 'go/LICENSE', body: 'Copyright 2009 The Go Authors.\n' },
    { path: 'go/VERSION', body: `go${v}\ntime ${MTIME.toISOString().replace('.000', '')}\n` },
    exe('go/bin/go', 'go'),
    exe('go/bin/gofmt', 'gofmt'),
    { path: 'go/pkg/include/textflag.h', body: '#define NOSPLIT 4\n' },
    exe(`go/pkg/tool/${os}_${arch}/compile`, 'compile'),
    exe(`go/pkg/tool/${os}_${arch}/link`, 'link'),
    {
      path: 'go/src/fmt/print.go',
      body: 'package fmt\n\nfunc Println(a ...any) (n int, err error) { return 0, nil }\n',
    },
  ];
}

export async function makeGoTarball(opts: {
  version: string;
  os?: string;
  arch?: string;
  binArch?: string;
  extraFiles?: Record<string, string>;
}): Promise<Buffer> {
  const os = opts.os ?? HOST.os;
  const arch = opts.arch ?? HOST.arch;
  const entries = goTreeEntries(opts.version, os, arch, opts.binArch ?? arch);
  for (const [path, body] of Object.entries(opts.extraFiles ?? {})) {
    const i = entries.findIndex((e) => e.path === path);
    if (i >= 0) entries[i] = { ...entries[i], body };
    else entries.push({ path, body });
  }
  return packTarGz(entries);
}

export type HostileKind = 'dotdot' | 'absolute' | 'symlink-escape' | 'hardlink-escape';

/** The hostile member of each kind. Link targets are chosen so a broken extractor does no harm as root. */
export const HOSTILE: Record<HostileKind, Entry> = {
  dotdot: { path: 'go/../../goarm-hostile-dotdot.txt', body: 'escaped via ..\n' },
  absolute: { path: '/tmp/goarm-hostile-absolute.txt', body: 'escaped via an absolute path\n' },
  // dangling on purpose: the link itself is the escape, nothing exists behind it
  'symlink-escape': {
    path: 'go/lib/escape',
    type: 'SymbolicLink',
    mode: 0o777,
    linkpath: '../../../../../../../../goarm-hostile-symlink-target',
  },
  // hard link names are relative to the extraction root; this one leaves it (mode/owner match the target's)
  'hardlink-escape': {
    path: 'go/lib/passwd',
    type: 'Link',
    mode: 0o644,
    linkpath: '../../../../../../../../etc/passwd',
  },
};

export async function makeHostileTarball(kind: HostileKind, opts: { version?: string } = {}): Promise<Buffer> {
  const v = (opts.version ?? '1.23.4').replace(/^go/, '');
  const base = goTreeEntries(v, HOST.os, HOST.arch, HOST.arch).filter(
    (e) => e.path === 'go/VERSION' || e.path === 'go/bin/go',
  );
  return packTarGz([...base, HOSTILE[kind]]);
}
