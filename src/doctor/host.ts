// Host: what machine this is, and whether this process runs translated by Rosetta (then everything it starts,
// go included, is x86_64 and builds amd64 unless told otherwise).
import { goArch, simulation } from '../core/platform.js';
import { type DoctorContext, type Finding, fail, ok, skip } from './findings.js';

export async function hostChecks(ctx: DoctorContext): Promise<Finding[]> {
  const h = ctx.host;
  const nodeArch = goArch(process.arch);
  const out: Finding[] = [
    ok('host.platform', `${h.os}/${h.arch}${simulation(ctx.env).os ? ' (simulated)' : ''}; this Node is ${nodeArch}`, {
      os: h.os,
      arch: h.arch,
      nodeArch,
    }),
  ];
  if (h.os !== 'darwin') {
    out.push(skip('host.apple-silicon', `not macOS (${h.os})`), skip('host.rosetta', `not macOS (${h.os})`));
    return out;
  }
  out.push(
    ok(
      'host.apple-silicon',
      h.appleSilicon ? 'Apple Silicon (arm64): goarm installs and pins darwin/arm64' : 'Intel Mac (amd64)',
      { appleSilicon: h.appleSilicon },
    ),
  );
  if (h.translated)
    out.push(
      fail(
        'host.rosetta',
        `this process is translated by Rosetta (an x86_64 ${nodeArch === 'amd64' ? 'Node' : 'terminal'} ` +
          'on an Apple Silicon Mac): go started from here runs as amd64, and the shims refuse to run',
        'open a native terminal (Terminal/iTerm: Get Info → untick "Open using Rosetta"), ' +
          'or run `arch -arm64 /bin/zsh -l`; install an arm64 Node if `file $(command -v node)` says x86_64',
        { translated: true, nodeArch },
      ),
    );
  else
    out.push(
      ok('host.rosetta', h.appleSilicon ? 'native arm64 process, not translated by Rosetta' : 'not translated', {
        translated: false,
        nodeArch,
      }),
    );
  return out;
}
