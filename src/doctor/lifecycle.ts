// Lifecycle checks: known vulnerabilities of the Go in effect here, which Go `system` names, and whether a GUI app
// (an IDE started from the Dock or a desktop menu) would find the shims on its PATH.
import { execFileSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { binaryInfo } from '../core/platform.js';
import { vulnReports } from '../lifecycle/report.js';
import { minorOf } from '../lifecycle/support.js';
import { describeVulns } from '../lifecycle/vulns.js';
import { findSystemGo } from '../select/system.js';
import { type DoctorContext, type Finding, ok, resolveHereOnce, skip, warn } from './findings.js';

async function vulnCheck(ctx: DoctorContext): Promise<Finding> {
  const r = await resolveHereOnce(ctx).catch(() => undefined);
  const v = r?.version === 'system' ? r.systemVersion : r?.version;
  if (!v) return skip('lifecycle.vulns', 'no Go applies here');
  const rep = (await vulnReports(ctx.home, ctx.global, [v], () => {}))?.[0];
  if (!rep)
    return skip(
      'lifecycle.vulns',
      ctx.env.GOARM_VULNDB === 'off'
        ? 'vulnerability lookups are off (GOARM_VULNDB=off)'
        : `no vulnerability data for go${v} (offline, and nothing cached)`,
    );
  const detail = { version: v, ids: rep.ids, fixedIn: rep.fixedIn ?? null };
  if (!rep.count) return ok('lifecycle.vulns', `go${v}: no known vulnerabilities`, detail);
  return warn(
    'lifecycle.vulns',
    describeVulns(rep),
    rep.fixedIn ? `goarm upgrade ${minorOf(v)}` : 'goarm install latest',
    {
      ...detail,
      vulns: rep.vulns,
    },
  );
}

async function systemCheck(ctx: DoctorContext): Promise<Finding> {
  const s = await findSystemGo(ctx.home, ctx.env);
  if (!s) return skip('lifecycle.system', '`system` names nothing: no go on PATH outside goarm');
  const arch = (await binaryInfo(s.bin))?.archs.join('/') || 'unknown';
  const detail = { bin: s.bin, root: s.root, version: s.version ?? null, arch };
  const what = `system is go${s.version ?? '?'} at ${s.root} (${arch})`;
  if (arch !== ctx.host.arch)
    return warn('lifecycle.system', `${what}, not this machine's ${ctx.host.arch}`, 'install a native Go', detail);
  return ok('lifecycle.system', what, detail);
}

/**
 * macOS: GUI apps get launchd's PATH (`launchctl getenv PATH`, empty unless set, then /usr/bin:/bin:/usr/sbin:
 * /sbin). Linux desktops start apps from the login session, whose PATH the login shell's profile sets: not
 * detectable from here without starting a login shell, so that case is reported as skipped.
 */
function guiPathCheck(ctx: DoctorContext): Finding {
  if (ctx.host.os !== 'darwin') return skip('lifecycle.gui-path', 'the PATH of GUI apps is detectable on macOS only');
  let path = '';
  try {
    path = execFileSync('launchctl', ['getenv', 'PATH'], { encoding: 'utf8', env: ctx.env, timeout: 2000 }).trim();
  } catch {
    return skip('lifecycle.gui-path', 'launchctl is not available');
  }
  const shown = path || '/usr/bin:/bin:/usr/sbin:/sbin (launchd default)';
  if (path.split(delimiter).includes(ctx.home.shims)) return ok('lifecycle.gui-path', 'GUI apps see the shims');
  return warn(
    'lifecycle.gui-path',
    `GUI apps (VS Code, GoLand from the Dock) do not see the shims: their PATH is ${shown}`,
    `set go.alternateTools / GOROOT as docs/ides.md says, or: launchctl setenv PATH "${ctx.home.shims}:$PATH"`,
  );
}

export const lifecycleChecks = async (ctx: DoctorContext): Promise<Finding[]> => [
  await vulnCheck(ctx),
  await systemCheck(ctx),
  guiPathCheck(ctx),
];
