// One error type for everything a user can cause, rendered by one handler (see render()).
// Exit codes are stable and documented in README.md; scripts may branch on them.

export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  CONFIG: 3,
  NOT_FOUND: 4,
  NETWORK: 5,
  VERIFY: 6,
  ARCHIVE: 7,
  FILESYSTEM: 8,
  LOCKED: 9,
  HOST: 10,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class GoarmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly exitCode: ExitCodeValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GoarmError';
  }
}

export const err = (code: string, exitCode: ExitCodeValue, message: string, hint?: string, cause?: unknown) =>
  new GoarmError(code, message, hint, exitCode, cause === undefined ? undefined : { cause });

/** Maps OS errors a user can cause (disk full, permissions) onto GoarmError; rethrows the rest untouched. */
export function fsError(e: unknown, what: string): GoarmError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return err(
      'E_DISK_FULL',
      ExitCode.FILESYSTEM,
      `no space left on device while ${what}`,
      'free some disk space and run the command again; nothing installed was changed',
      e,
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return err(
      'E_PERMISSION',
      ExitCode.FILESYSTEM,
      `permission denied while ${what}: ${(e as Error).message}`,
      'check the ownership of GOARM_HOME',
      e,
    );
  if (e instanceof GoarmError) return e;
  return err('E_FS', ExitCode.FILESYSTEM, `${what} failed: ${(e as Error)?.message ?? e}`, undefined, e);
}

/** Strips credentials from anything we are about to print: URL userinfo, auth headers, tokens in query strings. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+(:[^/@\s]*)?@/gi, '$1***@')
    .replace(
      /(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token)?\s*[^\s"',}]+/gi,
      '$1$2$3 ***',
    )
    .replace(/([?&](?:token|access_token|password|key)=)[^&\s]+/gi, '$1***');
}

const useColor = () => process.stderr.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

/** The single top-level renderer. Returns the process exit code. */
export function render(e: unknown): number {
  const red = (s: string) => (useColor() ? `\x1b[31m${s}\x1b[0m` : s);
  if (e instanceof GoarmError) {
    process.stderr.write(`${red('error')}: ${redact(e.message)} [${e.code}]\n`);
    if (e.hint) process.stderr.write(`hint: ${redact(e.hint)}\n`);
    if (process.env.GOARM_DEBUG && e.cause)
      process.stderr.write(redact(String((e.cause as Error).stack ?? e.cause)) + '\n');
    return e.exitCode;
  }
  const msg = e instanceof Error ? (process.env.GOARM_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
  process.stderr.write(
    `${red('error')}: internal error: ${redact(msg)}\nhint: this is a bug in goarm; rerun with GOARM_DEBUG=1 and report it\n`,
  );
  return ExitCode.INTERNAL;
}
