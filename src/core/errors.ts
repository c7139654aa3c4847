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
  /** Not an error: `doctor` found a failing check, or `outdated` a version behind. For scripts and CI. */
  ATTENTION: 11,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one error table: every code goarm reports, its exit code, and the hint shown when the thrower has no more
 * specific one. README.md's exit-code table is checked against this by a test. The shims' own exits (shims/shim.sh,
 * which cannot import this) use the same rows: E_BAD_SPEC (2) a bad GOARM_VERSION, E_NOT_INSTALLED (4),
 * E_RESOLVE_CACHE and E_CWD (8), E_ROSETTA (10).
 */
const E = ExitCode;
export const ERRORS = {
  E_USAGE: [E.USAGE, 'run `goarm --help` or `goarm <command> --help`'],
  E_BAD_SPEC: [E.USAGE, 'use e.g. 1.23, 1.23.4, go1.23.4, 1.24rc1 or latest'],
  E_CONFIG: [E.CONFIG, 'fix the file named above; `goarm doctor` checks every setting'],
  E_BAD_PIN: [E.CONFIG, 'use a version like 1.23 or 1.23.4 in the file named above'],
  E_FILE_IS_DIR: [E.CONFIG, 'name a file, not a directory'],
  E_CGO_REQUIRED: [E.CONFIG, undefined],
  E_GO_LIST: [E.CONFIG, undefined],
  E_KEYCHAIN: [E.CONFIG, undefined],
  E_NO_KEYCHAIN: [E.CONFIG, undefined],
  E_NOT_FOUND: [E.NOT_FOUND, undefined],
  E_NOT_INSTALLED: [E.NOT_FOUND, 'run: goarm install <version>'],
  E_NOT_IN_INDEX: [E.NOT_FOUND, 'run `goarm ls-remote --all` to see what exists'],
  E_UNKNOWN_VERSION: [E.NOT_FOUND, 'run `goarm ls-remote --all` to see what exists'],
  E_NO_FILE: [E.NOT_FOUND, undefined],
  E_NO_INDEX: [E.NOT_FOUND, undefined],
  E_NO_PACKAGES: [E.NOT_FOUND, undefined],
  E_NO_VERSION: [E.NOT_FOUND, 'run: goarm install 1.23 (the first Go installed becomes the default)'],
  E_FILE_NOT_FOUND: [E.NOT_FOUND, undefined],
  // Reported by the sh launchers (bin/goarm, GOARM_HOME/bin/goarm), not thrown: the package or Node is gone.
  E_GOARM_GONE: [E.NOT_FOUND, 'reinstall goarm: npm install -g goarm, or its install.sh'],
  E_NETWORK: [E.NETWORK, 'check the network, the proxy settings and the mirror; then run the command again'],
  E_HTTP: [E.NETWORK, undefined],
  E_HTTP_AUTH: [E.NETWORK, 'run `goarm login <url>` or set GOARM_MIRROR_TOKEN'],
  E_HTTP_RANGE: [E.NETWORK, undefined],
  E_INDEX_INVALID: [E.NETWORK, undefined],
  E_SELF_UPDATE: [E.NETWORK, 'see the messages above; the goarm you have still works'],
  E_CHECKSUM: [E.VERIFY, undefined],
  E_SIGNATURE: [E.VERIFY, undefined],
  E_NO_SIGNATURE: [E.VERIFY, undefined],
  E_PINNED_KEY: [E.VERIFY, 'reinstall goarm: its bundled key file is damaged'],
  E_SIZE: [E.VERIFY, undefined],
  E_TOO_LARGE: [E.VERIFY, undefined],
  E_MANIFEST: [E.VERIFY, undefined],
  E_TREE_MODIFIED: [E.VERIFY, undefined],
  E_UNSAFE_ARCHIVE: [E.ARCHIVE, 'the archive is not a genuine Go release; report the mirror that served it'],
  E_BAD_ARCHIVE: [E.ARCHIVE, undefined],
  E_BAD_CONTENTS: [E.ARCHIVE, undefined],
  E_WRONG_ARCH: [E.ARCHIVE, undefined],
  E_ABORTED: [E.ARCHIVE, undefined],
  E_FILE: [E.FILESYSTEM, undefined],
  E_FS: [E.FILESYSTEM, undefined],
  E_DISK_FULL: [E.FILESYSTEM, 'free some disk space and run the command again'],
  E_PERMISSION: [E.FILESYSTEM, 'check the ownership and permissions of GOARM_HOME'],
  E_RESOLVE_CACHE: [E.FILESYSTEM, 'run: goarm doctor'],
  E_CWD: [E.FILESYSTEM, 'cd to an existing directory and run the command again'],
  E_HOME: [E.FILESYSTEM, 'point GOARM_HOME at a writable directory (default ~/.goarm)'],
  E_LOCKED: [E.LOCKED, undefined],
  E_ROSETTA: [E.HOST, 'open a native arm64 shell, or set GOARM_ALLOW_ROSETTA=1'],
  E_DOCTOR_FAILED: [E.ATTENTION, 'see the fix lines of the failed checks'],
} as const satisfies Record<string, readonly [ExitCodeValue, string | undefined]>;

export type ErrorCode = keyof typeof ERRORS;

export class GoarmError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GoarmError';
    this.exitCode = ERRORS[code][0];
    this.hint = hint ?? ERRORS[code][1];
  }
}

export const err = (code: ErrorCode, message: string, hint?: string, cause?: unknown) =>
  new GoarmError(code, message, hint, cause === undefined ? undefined : { cause });

/** Maps OS errors a user can cause (disk full, permissions) onto GoarmError; rethrows the rest untouched. */
export function fsError(e: unknown, what: string): GoarmError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return err(
      'E_DISK_FULL',
      `no space left on device while ${what}`,
      'free some disk space and run the command again; nothing installed was changed',
      e,
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return err(
      'E_PERMISSION',
      `permission denied while ${what}: ${(e as Error).message}`,
      'check the ownership of GOARM_HOME',
      e,
    );
  if (e instanceof GoarmError) return e;
  return err('E_FS', `${what} failed: ${(e as Error)?.message ?? e}`, undefined, e);
}

/** Strips credentials from anything we are about to print: URL userinfo, auth headers, tokens in query strings. */
export function redact(text: string): string {
  return (
    text
      // userinfo runs to the LAST "@" of the URL: a password may hold "/", ":" and "@" (over-masking an "@" in a path
      // is the safe mistake)
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s"'<>]*@/gi, '$1***@')
      .replace(
        /(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token)?\s*[^\s"',}]+/gi,
        '$1$2$3 ***',
      )
      .replace(/([?&](?:token|access_token|password|key)=)[^&\s]+/gi, '$1***')
  );
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
    `${red('error')}: internal error: ${redact(msg)}\n` +
      'hint: this is a bug in goarm; rerun with GOARM_DEBUG=1 and report it\n',
  );
  return ExitCode.INTERNAL;
}
