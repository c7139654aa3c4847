import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { CommandModule } from 'yargs';
import { err } from '../core/errors.js';
import { nativeHelper } from '../core/native.js';
import { nativeVersions } from '../install/versions.js';
import { requireInstalled, resolveHere, toolEnv } from '../select/environment.js';
import { pickInstalled } from '../select/resolve.js';
import { context } from './common.js';

interface Args {
  version?: string;
  cmd?: string[];
}

const command: CommandModule<object, Args> = {
  command: 'exec [cmd..]',
  describe: 'Run a command with the Go that applies here (or --version) first on PATH',
  builder: (y) =>
    y
      .version(false) // --version here names a Go version, not goarm's
      .positional('cmd', { type: 'string', array: true, describe: 'the command and its arguments, after --' })
      .option('version', { type: 'string', describe: "use this installed version instead of the directory's" })
      .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': true })
      .example('$0 exec -- go build ./...', '')
      .example('$0 exec --version 1.22 -- go test ./...', ''),
  handler: async (a) => {
    const argv = [...(a.cmd ?? []), ...(((a as Record<string, unknown>)['--'] as string[]) ?? [])].map(String);
    if (!argv.length) throw err('E_USAGE', 'exec needs a command', 'e.g. goarm exec -- go version');
    const { home } = await context();
    // --version takes a spec ("1.22"); GOARM_VERSION names an exact installed version, as the shims read it.
    const exact = a.version === undefined ? undefined : pickInstalled(a.version, await nativeVersions(home));
    if (a.version !== undefined && !exact)
      throw err('E_NOT_INSTALLED', `no installed Go matches ${a.version}`, `run: goarm install ${a.version}`);
    const resolveEnv = exact ? { ...process.env, GOARM_VERSION: exact } : process.env;
    const r = requireInstalled(await resolveHere(home, process.cwd(), resolveEnv));
    const env = toolEnv(home, r, process.env);
    const native = nativeHelper();
    if (native) {
      // Become the command (execve): signals sent to this pid reach it, and its exit status is ours. Output
      // still queued in Node (async pipes on macOS) would be lost with the process image, so flush it first.
      await Promise.all([process.stdout, process.stderr].map((s) => new Promise((res) => s.write('', res))));
      try {
        native.execvp(argv[0], argv.slice(1), env);
      } catch (e) {
        const { code, message } = e as NodeJS.ErrnoException;
        process.stderr.write(`goarm: ${argv[0]}: ${code === 'ENOENT' ? 'command not found' : message}\n`);
        process.exitCode = code === 'ENOENT' ? 127 : 126;
        return;
      }
    }
    // Signals go to the child (a terminal's Ctrl-C reaches both; kill from elsewhere reaches only us). Listen
    // before spawning: a signal sent as soon as the child runs would otherwise kill us and orphan it. Handlers
    // run from the event loop, after this synchronous code, so `child` is set by then.
    let child: ChildProcess | undefined;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child?.kill(sig));
    child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
    process.exitCode = await new Promise<number>((res) => {
      child.on('error', (e) =>
        res(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? (process.stderr.write(`goarm: ${argv[0]}: command not found\n`), 127)
            : 126,
        ),
      );
      child.on('exit', (code, signal) => res(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  },
};

export default command;
