// Environment: Go variables that quietly steer builds away from what goarm chose. Each is read from the shell's
// environment and from Go's own env file (`go env -w` writes it), which every go command reads too.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { exists } from '../core/fs.js';
import { type DoctorContext, type Finding, fail, ok, warn } from './findings.js';
import { findInRc, where } from './rc.js';

interface Setting {
  value: string;
  from: string;
} // from: "the environment" or the env file's path

/** Go's env file: $GOENV, else os.UserConfigDir()/go/env. */
export function goEnvFile(ctx: DoctorContext): string | undefined {
  const e = ctx.env;
  if (e.GOENV) return e.GOENV === 'off' ? undefined : e.GOENV;
  if (!e.HOME) return undefined;
  const config =
    ctx.host.os === 'darwin'
      ? join(e.HOME, 'Library', 'Application Support')
      : e.XDG_CONFIG_HOME || join(e.HOME, '.config');
  return join(config, 'go', 'env');
}

async function settings(ctx: DoctorContext): Promise<(name: string) => Setting | undefined> {
  const file = goEnvFile(ctx);
  const fromFile = new Map<string, string>();
  for (const line of ((file && (await readFile(file, 'utf8').catch(() => ''))) || '').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && !line.startsWith('#')) fromFile.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return (name) => {
    const v = ctx.env[name];
    if (v) return { value: v, from: 'the environment' };
    const f = fromFile.get(name);
    return f ? { value: f, from: file! } : undefined;
  };
}

/** How to remove a setting: the rc lines that export it, or `go env -u`. */
async function removal(ctx: DoctorContext, name: string, s: Setting): Promise<string> {
  if (s.from !== 'the environment') return `run: go env -u ${name}  (it is in ${s.from})`;
  const hits = await findInRc(
    ctx,
    (l) => new RegExp(`\\b${name}\\b\\s*[= ]`).test(l) && /\b(export|set|setenv)\b/.test(l),
  );
  return hits.length
    ? `remove the ${name} line at ${hits.map((h) => where(ctx, h)).join(', ')}`
    : `unset ${name} where your shell sets it`;
}

/** Whether GOTOOLCHAIN lets go fetch toolchains: auto, <name>+auto and a bare go1.x.y do; local, path, +path do not. */
export function downloads(v: string): boolean {
  const [name, mode] = v.split('+');
  if (mode !== undefined) return mode === 'auto';
  return name === 'auto' || /^go\d/.test(name);
}

/** A Go root at or above p: versions/<v> of this home, or any directory with VERSION, bin/go and src/. */
async function goRootAbove(ctx: DoctorContext, p: string): Promise<string | undefined> {
  const abs = resolve(p);
  const v = ctx.home.versions;
  if (abs === v) return v;
  if (abs.startsWith(v + '/')) return join(v, abs.slice(v.length + 1).split('/')[0]);
  for (let d = abs; ; d = dirname(d)) {
    if ((await exists(join(d, 'VERSION'))) && (await exists(join(d, 'bin', 'go'))) && (await exists(join(d, 'src'))))
      return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Variables that must never be exported for every process: a GOARCH or GOHOSTARCH exported once (say from a translated
 * shell) leaks into every later build, a global CGO_ENABLED silently changes every binary, and an exported HOSTTYPE
 * is kept by every bash started below it (bash sets it only when it is not inherited) and misleads scripts.
 */
const GLOBAL = ['GOARCH', 'GOHOSTARCH', 'HOSTTYPE', 'CGO_ENABLED'];
const exporting = (name: string) => {
  const sh = new RegExp(
    `\\b(export|declare\\s+-[a-wyzA-Z]*x\\w*|typeset\\s+-[a-wyzA-Z]*x\\w*)\\s+([^#;&|]*\\s)?${name}\\b`,
  );
  const fish = new RegExp(`\\bset\\s+(-\\w+\\s+)*-[a-zA-Z]*x[a-zA-Z]*\\s+(-\\w+\\s+)*${name}\\b`);
  const other = new RegExp(`\\b(setenv|launchctl\\s+setenv)\\s+${name}\\b`);
  return (line: string) => sh.test(line) || fish.test(line) || other.test(line);
};

async function globalExports(ctx: DoctorContext): Promise<Finding> {
  const found: { name: string; where: string }[] = [];
  for (const name of GLOBAL) {
    const hits = await findInRc(ctx, exporting(name));
    for (const h of hits) found.push({ name, where: where(ctx, h) });
    // Exported into the environment doctor runs in, with no start-up line found: the login environment or a parent.
    if (!hits.length && ctx.env[name] !== undefined) found.push({ name, where: 'this environment' });
  }
  if (!found.length) return ok('env.exports', `none of ${GLOBAL.join(', ')} is exported by the shell start-up files`);
  return warn(
    'env.exports',
    `exported globally: ${found.map((f) => `${f.name} (${f.where})`).join(', ')}. Every later process inherits ` +
      'it: a GOARCH or GOHOSTARCH exported once (from a translated shell, say) leaks into every build, CGO_ENABLED ' +
      'changes every binary, and bash keeps an inherited HOSTTYPE instead of its own',
    'remove those lines (and `launchctl unsetenv` any you set there); set GOARCH or CGO_ENABLED per command, ' +
      'or `arch` and [cgo] in .goarm.toml',
    { exports: found },
  );
}

export async function envChecks(ctx: DoctorContext): Promise<Finding[]> {
  const get = await settings(ctx);
  const out: Finding[] = [];

  const root = ctx.env.GOROOT ? { value: ctx.env.GOROOT, from: 'the environment' } : undefined;
  if (!root) out.push(ok('env.goroot', 'GOROOT is not set: each go finds its own root'));
  else {
    const broken = !(await exists(join(root.value, 'bin', 'go')));
    const what =
      `GOROOT=${root.value} is exported. goarm's shims unset it, but anything that reads it — gopls, editors, ` +
      "Makefiles running $GOROOT/bin/go — uses that Go instead of goarm's, and a go of one release with another's " +
      'GOROOT mixes its compiler with the wrong standard library ' +
      '("compile: version … does not match go tool version …")';
    const f = await removal(ctx, 'GOROOT', root);
    out.push(
      broken
        ? fail('env.goroot', `${what}; it does not even contain bin/go`, f, { GOROOT: root.value })
        : warn('env.goroot', what, f, { GOROOT: root.value }),
    );
  }

  const tc = get('GOTOOLCHAIN');
  if (tc && downloads(tc.value))
    out.push(
      warn(
        'env.gotoolchain',
        `GOTOOLCHAIN=${tc.value} (from ${tc.from}) lets go download and run toolchains from the module proxy. ` +
          "goarm's shims force GOTOOLCHAIN=local, but go run any other way skips goarm's signature check",
        `${await removal(ctx, 'GOTOOLCHAIN', tc)}; ` +
          'pin versions with `goarm pin` (or a go.mod toolchain line) instead',
        { GOTOOLCHAIN: tc.value, from: tc.from },
      ),
    );
  else
    out.push(
      ok(
        'env.gotoolchain',
        tc ? `GOTOOLCHAIN=${tc.value} never downloads` : 'GOTOOLCHAIN is not set; the shims set local',
        { GOTOOLCHAIN: tc?.value ?? null },
      ),
    );

  const arch = [get('GOARCH'), get('GOOS')];
  const set = (['GOARCH', 'GOOS'] as const)
    .map((n, i) => arch[i] && { name: n, ...arch[i]! })
    .filter((x): x is { name: 'GOARCH' | 'GOOS' } & Setting => Boolean(x));
  if (!set.length)
    out.push(ok('env.goarch', "GOARCH and GOOS are not set: builds target this machine (or the project's `arch`)"));
  else {
    const cross = set.some((s) => s.value !== (s.name === 'GOARCH' ? ctx.host.arch : ctx.host.os));
    const desc = set.map((s) => `${s.name}=${s.value} (from ${s.from})`).join(', ');
    const fixes = await Promise.all(set.map((s) => removal(ctx, s.name, s)));
    out.push(
      warn(
        'env.goarch',
        `${desc}: ${cross ? `every go build cross-compiles for ${set.map((s) => s.value).join('/')}, and it` : 'it'} ` +
          `overrides goarm's ${ctx.host.appleSilicon ? 'arm64 pin and ' : ''}a project's \`arch\` in .goarm.toml`,
        `${fixes.join('; ')}; set GOARCH per command, or \`arch\` in .goarm.toml`,
        Object.fromEntries(set.map((s) => [s.name, s.value])),
      ),
    );
  }

  const paths: { name: string; value: string; from: string }[] = [];
  const gopath = get('GOPATH');
  const gobin = get('GOBIN');
  if (gopath)
    for (const p of gopath.value.split(':').filter(Boolean))
      paths.push({ name: 'GOPATH', value: p, from: gopath.from });
  if (gobin) paths.push({ name: 'GOBIN', value: gobin.value, from: gobin.from });
  const bad: { name: string; value: string; root: string; from: string }[] = [];
  for (const p of paths) {
    const r = await goRootAbove(ctx, p.value);
    if (r) bad.push({ ...p, root: r });
  }
  if (!bad.length)
    out.push(
      ok(
        'env.gopath',
        paths.length
          ? paths.map((p) => `${p.name}=${p.value}`).join(', ') + ': outside every Go root'
          : 'GOPATH and GOBIN are not set (default ~/go)',
      ),
    );
  else {
    const desc = bad.map((b) => `${b.name}=${b.value} (from ${b.from}) is inside the Go root ${b.root}`).join('; ');
    const fixes = await Promise.all(bad.map((b) => removal(ctx, b.name, b)));
    out.push(
      fail(
        'env.gopath',
        `${desc}: go install and the module cache would write into a Go release, ` +
          'which `goarm verify` then reports as modified and uninstall deletes',
        `${[...new Set(fixes)].join('; ')}; the default (~/go) is fine`,
        { paths: bad },
      ),
    );
  }
  out.push(await globalExports(ctx));
  return out;
}
