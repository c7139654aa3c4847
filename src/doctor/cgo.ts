// CGO: when cgo is on here (by the environment, the project's cgo.enabled, or Go's default), the C compiler go
// will use must exist. Since Go 1.20 a missing compiler silently turns the default to CGO_ENABLED=0, so a
// package that needs cgo fails to build (or builds a stub) with no mention of the compiler. On macOS the
// compiler comes from the Command Line Tools: /usr/bin/clang exists without them but cannot compile.
import { stat } from 'node:fs/promises';
import { run, which } from '../core/process.js';
import { type DoctorContext, type Finding, fail, ok, resolveHereOnce, skip, warn } from './findings.js';

export async function cgoChecks(ctx: DoctorContext): Promise<Finding[]> {
  let project: { enabled?: string; cc?: string; file?: string } = {};
  try {
    const r = await resolveHereOnce(ctx);
    project = { enabled: r.env.CGO_ENABLED, cc: r.env.CC, file: r.settingsFile };
  } catch {
    /* project.* reports it; cgo falls back to the environment and Go's default */
  }
  // The shims' rule: the caller's own CGO_ENABLED wins, then the project's.
  const setting = ctx.env.CGO_ENABLED ?? project.enabled;
  const from =
    ctx.env.CGO_ENABLED !== undefined
      ? 'CGO_ENABLED in the environment'
      : project.enabled !== undefined
        ? `cgo.enabled in ${project.file}`
        : "Go's default";
  if (setting === '0') return [skip('cgo.compiler', `cgo is off (${from})`), skip('cgo.clt', `cgo is off (${from})`)];
  const explicit = setting !== undefined;
  const bad = explicit ? fail : warn;
  const why = explicit
    ? `cgo is on (${from}), so builds of packages that use it fail`
    : 'cgo is on by default, but without a C compiler Go 1.20+ quietly builds with CGO_ENABLED=0: ' +
      'packages that need cgo fail to build or compile a stub';
  const darwin = ctx.host.os === 'darwin';
  const out: Finding[] = [];

  const cc = ctx.env.CC ?? project.cc;
  if (cc) {
    const prog = cc.trim().split(/\s+/)[0];
    const path = await which(prog, ctx.env.PATH);
    out.push(
      path
        ? ok('cgo.compiler', `CC=${cc}: ${path}`, { cc, path, from })
        : bad('cgo.compiler', `CC=${cc} is not found on PATH: ${why}`, `install ${prog}, or fix CC`, {
            cc,
            path: null,
            from,
          }),
    );
  } else if (darwin) {
    const r = await run('xcrun', ['--find', 'clang'], { env: ctx.env });
    const path = r.code === 0 ? r.stdout.trim().split('\n')[0] : '';
    out.push(
      path
        ? ok('cgo.compiler', `clang: ${path} (xcrun --find clang)`, { cc: 'clang', path, from })
        : bad(
            'cgo.compiler',
            `xcrun --find clang failed${
              r.missing ? ' (no xcrun)' : `: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`
            }: ${why}`,
            'xcode-select --install',
            { cc: 'clang', path: null, from },
          ),
    );
  } else {
    // Go's default CC on Linux is gcc; a lone `cc` (clang-only systems) needs CC=cc.
    const gcc = await which('gcc', ctx.env.PATH);
    const plain = gcc ? undefined : await which('cc', ctx.env.PATH);
    out.push(
      gcc
        ? ok('cgo.compiler', `gcc: ${gcc}`, { cc: 'gcc', path: gcc, from })
        : plain
          ? warn(
              'cgo.compiler',
              `no gcc, which is the C compiler go looks for, but ${plain} exists`,
              'set cgo.cc = "cc" in .goarm.toml (and goarm trust), or export CC=cc',
              { cc: 'gcc', path: null, from },
            )
          : bad(
              'cgo.compiler',
              `no C compiler (gcc or cc) on PATH: ${why}`,
              "install one: apt-get install gcc libc6-dev (or your distribution's equivalent), " +
                'or set CGO_ENABLED=0 on purpose',
              { cc: 'gcc', path: null, from },
            ),
    );
  }

  if (!darwin) out.push(skip('cgo.clt', `not macOS (${ctx.host.os})`));
  else {
    const r = await run('xcode-select', ['-p'], { env: ctx.env });
    const dir = r.code === 0 ? r.stdout.trim() : '';
    const there =
      dir !== '' &&
      (await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      ));
    out.push(
      there
        ? ok('cgo.clt', `developer tools at ${dir}`, { path: dir })
        : bad(
            'cgo.clt',
            `the Xcode Command Line Tools are ${
              dir
                ? `missing (xcode-select -p names ${dir}, which does not exist)`
                : 'not installed (xcode-select -p failed)'
            }: ${why}`,
            'xcode-select --install',
            { path: dir || null },
          ),
    );
  }
  return out;
}
