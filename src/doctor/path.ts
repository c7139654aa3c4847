// PATH: goarm's shims must be on PATH and come before every other go/gofmt (/usr/local/go/bin from the go.dev
// installer, /opt/homebrew/bin from Homebrew, ~/go/bin, ...), or `go` silently is some other Go.
import { realpath } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { binaryInfo } from '../core/platform.js';
import { isExecutable } from '../core/process.js';
import { TOOLS } from '../shell/shims.js';
import { type DoctorContext, type Finding, fail, ok, skip } from './findings.js';
import { findInRc, initLine, mentions, where } from './rc.js';

const real = (p: string) => realpath(p).catch(() => p);

export async function pathChecks(ctx: DoctorContext): Promise<Finding[]> {
  const dirs = (ctx.env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  const realDirs = await Promise.all(dirs.map(real));
  const shims = await real(ctx.home.shims);
  const at = realDirs.indexOf(shims);
  const first = async (tool: string) => {
    for (const d of dirs) if (await isExecutable(join(d, tool))) return join(d, tool);
    return undefined;
  };
  if (at < 0) {
    const go = await first('go');
    return [
      fail(
        'path.shims',
        `${ctx.home.shims} is not on PATH, so goarm does not choose your Go; \`go\` here is ${go ?? 'not found'}`,
        `add ${initLine(ctx)} and open a new terminal`,
        { shims: ctx.home.shims, onPath: false, go: go ?? null },
      ),
      skip('path.shadow', 'the shims are not on PATH'),
    ];
  }
  const out = [
    ok('path.shims', `${ctx.home.shims} is on PATH (entry ${at + 1} of ${dirs.length})`, {
      shims: ctx.home.shims,
      onPath: true,
      index: at,
    }),
  ];

  // Every go/gofmt in a directory before the shims, except links to the shims themselves.
  const shadowing: { tool: string; file: string; dir: string; platform: string | null; setBy: string[] }[] = [];
  for (const tool of TOOLS) {
    const shim = await real(join(ctx.home.shims, tool));
    for (const dir of dirs.slice(0, at)) {
      const file = join(dir, tool);
      if (!(await isExecutable(file)) || (await real(file)) === shim) continue;
      const info = await binaryInfo(file);
      const setBy = (await findInRc(ctx, mentions(ctx, dir))).map((h) => where(ctx, h));
      shadowing.push({ tool, file, dir, platform: info ? `${info.os}/${info.archs.join('+')}` : null, setBy });
    }
  }
  if (!shadowing.length)
    return [...out, ok('path.shadow', `no other go or gofmt comes before the shims`, { shadowing })];
  const names = shadowing.map(
    (s) =>
      `${s.file}${s.platform ? ` (${s.platform})` : ''}${s.setBy.length ? ` — PATH set in ${s.setBy.join(', ')}` : ''}`,
  );
  const lines = [...new Set(shadowing.flatMap((s) => s.setBy))];
  const dirsToFix = [...new Set(shadowing.map((s) => s.dir))];
  const fix = lines.length
    ? `load goarm after ${lines.join(', ')}: ` +
      `move ${initLine(ctx)} below ${lines.length > 1 ? 'those lines' : 'that line'}, ` +
      `or remove ${dirsToFix.join(', ')} from PATH there`
    : `move ${initLine(ctx)} after whatever puts ${dirsToFix.join(', ')} on PATH, ` +
      `or remove ${dirsToFix.length > 1 ? 'them' : 'it'} from PATH`;
  return [
    ...out,
    fail('path.shadow', `shadowed by ${names.join('; ')}: \`go\` does not run goarm's shim`, fix, { shadowing }),
  ];
}
