// Running other programs (go, xcrun, xcode-select) for doctor and `goarm cgo`: never throws, never hangs.
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
  missing: boolean;
}

/** Runs cmd without a shell. `missing` is true when cmd could not be started (ENOENT); code is then 127. */
export function run(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<RunOutput> {
  return new Promise((resolve) => {
    // Loaded on first use: child_process costs every light command ~8 ms at start-up.
    process
      .getBuiltinModule('node:child_process')
      .execFile(
        cmd,
        args,
        { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 15_000, maxBuffer: 256 * 2 ** 20, encoding: 'utf8' },
        (e, stdout, stderr) => {
          const errno = (e as NodeJS.ErrnoException | null)?.code;
          if (errno === 'ENOENT' || errno === 'EACCES')
            return resolve({ code: 127, stdout: '', stderr: String((e as Error).message), missing: true });
          const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr), missing: false });
        },
      );
  });
}

/** Every executable named `name` on PATH, in PATH order (what `which -a` prints). Empty entries are skipped. */
async function whichAll(name: string, path: string | undefined): Promise<{ dir: string; file: string }[]> {
  const hits: { dir: string; file: string }[] = [];
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    if (await isExecutable(file)) hits.push({ dir, file });
  }
  return hits;
}

/** The first executable on PATH for a command name, or the name itself when it is a path. */
export async function which(name: string, path: string | undefined): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : undefined;
  return (await whichAll(name, path))[0]?.file;
}

/** A regular file (after symlinks) that we may execute. */
export async function isExecutable(file: string): Promise<boolean> {
  const st = await stat(file).catch(() => undefined);
  return (
    Boolean(st?.isFile()) &&
    (await access(file, constants.X_OK).then(
      () => true,
      () => false,
    ))
  );
}
