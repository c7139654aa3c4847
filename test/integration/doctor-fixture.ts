// Shared set-up for the doctor*.test.ts files: a throw-away machine in a temp directory.
//
//   makeDoctorWorld() -> DoctorWorld: base (realpath'd) holds home/ (GOARM_HOME, shims rendered by the built CLI),
//       user/ (HOME, with ~/.zshrc loading goarm), bin/ (a place for fake tools) and proj/ (a neutral cwd).
//       w.env is the environment every run gets: HOME, SHELL=/bin/zsh, PATH = shims first, then the caller's PATH,
//       GOARM_SIMULATE_NOW = 2026-06-01.
//   w.doctor(env?, cwd?) -> { code, report, check(id) }: runs `goarm doctor --json`, parses it, and checks the report
//       shape (every id once, fixed keys); check(id) returns that check (and fails the test if it is missing).
//   installFake(home, name, { os?, arch?, version?, manifest? }) -> the root: versions/<name> with bin/go and bin/gofmt
//       carrying real ELF/Mach-O headers for os/arch (default: this host), VERSION, and a manifest (default true).
//   removeFake(home, name): removes versions/<name> and its manifest.
//   simulateMac(w, { translated?, appleSilicon? }) -> env: GOARM_SIMULATE_OS=darwin with a fake sysctl first on PATH.
import { chmod, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { goarmHome } from '../../src/core/home.js';
import type { CheckReport, DoctorReport } from '../../src/doctor/index.js';
import { CHECK_IDS } from '../../src/doctor/index.js';
import { recordManifest } from '../../src/install/manifest.js';
import { type RunResult, runGoarm, tempHome } from '../helpers/cli.js';
import { fakeBin } from '../helpers/fakego.js';
import { fakeBinary, HOST } from '../helpers/gotree.js';

export interface DoctorRun {
  code: number;
  stderr: string;
  report: DoctorReport;
  check(id: string): CheckReport;
}
export interface DoctorWorld {
  base: string;
  home: string;
  user: string;
  bin: string;
  proj: string;
  env: Record<string, string>;
  goarm(args: string[], env?: Record<string, string>, cwd?: string): Promise<RunResult>;
  doctor(env?: Record<string, string>, cwd?: string): Promise<DoctorRun>;
}

export async function makeDoctorWorld(): Promise<DoctorWorld> {
  const base = await realpath(await tempHome('goarm-doctor-'));
  const [home, user, bin, proj] = ['home', 'user', 'bin', 'proj'].map((d) => join(base, d));
  await Promise.all([user, bin, proj].map((d) => mkdir(d, { recursive: true })));
  await writeFile(join(user, '.zshrc'), '# my zshrc\nsetopt autocd\neval "$(goarm use)"\n');
  // A fixed "today" keeps the key-expiry check deterministic (doctor-host.test.ts moves it on purpose).
  const env = {
    HOME: user,
    SHELL: '/bin/zsh',
    PATH: `${join(home, 'shims')}:${process.env.PATH}`,
    GOARM_SIMULATE_NOW: '2026-06-01T00:00:00Z',
  };
  const goarm = (args: string[], extra: Record<string, string> = {}, cwd = proj) =>
    runGoarm(args, { home, cwd, env: { ...env, ...extra } });
  const w: DoctorWorld = {
    base,
    home,
    user,
    bin,
    proj,
    env,
    goarm,
    async doctor(extra = {}, cwd = proj) {
      const r = await goarm(['doctor', '--json'], extra, cwd);
      let report: DoctorReport;
      try {
        report = JSON.parse(r.stdout);
      } catch {
        throw new Error(`doctor printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
      for (const c of report.checks)
        expect(Object.keys(c)).toEqual(['id', 'group', 'status', 'message', 'fix', 'detail']);
      expect(r.code, r.stderr).toBe(report.checks.some((c) => c.status === 'fail') ? 11 : 0);
      return { code: r.code, stderr: r.stderr, report, check: (id) => report.checks.find((c) => c.id === id)! };
    },
  };
  const shims = await goarm(['shims']);
  if (shims.code !== 0) throw new Error(`goarm shims failed: ${shims.stderr}`);
  return w;
}

export async function installFake(
  home: string,
  name: string,
  opts: { os?: string; arch?: string; version?: string; manifest?: boolean } = {},
): Promise<string> {
  const os = opts.os ?? HOST.os;
  const arch = opts.arch ?? HOST.arch;
  const root = join(home, 'versions', name);
  const aside = join(home, 'staging', `0-fixture-${name}`); // built aside and renamed in, as install does
  await mkdir(join(aside, 'bin'), { recursive: true });
  for (const tool of ['go', 'gofmt'])
    await writeFile(join(aside, 'bin', tool), fakeBinary(os, arch, tool), { mode: 0o755 });
  await mkdir(join(aside, 'src', 'fmt'), { recursive: true });
  await writeFile(join(aside, 'src', 'fmt', 'print.go'), 'package fmt\n');
  await writeFile(join(aside, 'VERSION'), `go${opts.version ?? name.split('-')[0]}\ntime 2024-01-01T00:00:00Z\n`);
  if (opts.manifest !== false)
    await recordManifest(goarmHome({ GOARM_HOME: home }), aside, root, { version: name.split('-')[0], os, arch });
  await mkdir(dirname(root), { recursive: true });
  await rename(aside, root);
  return root;
}

/** Removes versions/<name> and its manifest, as `goarm uninstall` does. */
export async function removeFake(home: string, name: string): Promise<void> {
  await rm(join(home, 'versions', name), { recursive: true, force: true });
  await rm(join(home, 'manifests', `${name}.json`), { force: true });
}

/** A fake `sysctl` saying Apple Silicon (or Intel) and translated (or not); GOARM_SIMULATE_OS=darwin. */
export async function simulateMac(
  w: DoctorWorld,
  opts: { translated?: boolean; appleSilicon?: boolean } = {},
): Promise<Record<string, string>> {
  await fakeBin(
    w.bin,
    'sysctl',
    `case "$2" in
  hw.optional.arm64) echo ${opts.appleSilicon === false ? 0 : 1} ;;
  sysctl.proc_translated) echo ${opts.translated ? 1 : 0} ;;
  *) exit 1 ;;
esac`,
  );
  return { GOARM_SIMULATE_OS: 'darwin', PATH: `${w.bin}:${w.env.PATH}` };
}

export const writeExec = async (file: string, text: string) => {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, 0o755);
  return file;
};
