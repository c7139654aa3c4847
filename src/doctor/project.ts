// Project: the nearest .goarm.toml parses and validates, is trusted when it has settings that need trust, and the
// version that applies in this directory is installed. Resolution only: doctor never installs (auto_install aside).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GoarmError } from '../core/errors.js';
import { PROJECT_FILE, type ProjectConfig, parseProjectConfig } from '../select/config.js';
import { describeSource, missingHint, projectEnv, type Resolution, whyMissing } from '../select/resolve.js';
import { isTrusted, trustRecord } from '../select/trust.js';
import { type DoctorContext, type Finding, fail, ok, resolveHereOnce, skip, warn } from './findings.js';

async function nearest(cwd: string): Promise<{ file: string; text: string } | undefined> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, PROJECT_FILE);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return { file, text };
    if (dirname(dir) === dir) return undefined;
  }
}

const problem = (e: unknown) => (e instanceof GoarmError ? { message: e.message, hint: e.hint ?? '' } : undefined);

export async function projectChecks(ctx: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const found = await nearest(ctx.cwd);
  let cfg: ProjectConfig | undefined;
  if (!found) out.push(skip('project.config', `no ${PROJECT_FILE} in ${ctx.cwd} or above`));
  else {
    try {
      cfg = parseProjectConfig(found.file, found.text);
      out.push(ok('project.config', `${found.file} is valid`, { file: found.file }));
    } catch (e) {
      const p = problem(e);
      if (!p) throw e;
      out.push(fail('project.config', p.message, p.hint, { file: found.file }));
    }
  }

  if (!cfg || !found) out.push(skip('project.trust', found ? `${PROJECT_FILE} is invalid` : `no ${PROJECT_FILE}`));
  else {
    const risky = projectEnv(cfg, false).ignored;
    const dir = dirname(found.file);
    if (!risky.length)
      out.push(
        ok('project.trust', 'nothing in it needs trust (go, arch and cgo.enabled/netdns/tags apply as they are)', {
          trusted: null,
          ignored: [],
        }),
      );
    else if (await isTrusted(ctx.home, found.file, found.text))
      out.push(ok('project.trust', `trusted: ${risky.join(', ')} apply`, { trusted: true, ignored: [] }));
    else {
      const changed = await readFile(await trustRecord(ctx.home, found.file)).then(
        () => true,
        () => false,
      );
      out.push(
        warn(
          'project.trust',
          `${changed ? 'changed since you trusted it' : 'not trusted'}: ` +
            `goarm ignores ${risky.join(', ')} (they can make go run other programs)`,
          `read ${found.file}, then run \`goarm trust\` in ${dir}`,
          { trusted: false, changedSinceTrust: changed, ignored: risky },
        ),
      );
    }
  }

  let r: Resolution | undefined;
  try {
    r = await resolveHereOnce(ctx);
  } catch (e) {
    const p = problem(e);
    if (!p) throw e;
    out.push(fail('project.version', p.message, p.hint));
  }
  if (r?.version)
    out.push(
      ok('project.version', `go${r.version} (${describeSource(r)})`, {
        version: r.version,
        spec: r.spec,
        source: r.source,
      }),
    );
  else if (r)
    out.push(
      fail(
        'project.version',
        `${whyMissing(r)}: go fails here`,
        r.installSpec === 'system' ? missingHint(r) : `goarm install ${r.installSpec}`,
        { version: null, spec: r.spec, source: r.source },
      ),
    );

  const arch = r?.settings?.arch;
  if (!r) out.push(skip('project.arch', 'no version resolves here'));
  else if (arch && arch !== ctx.host.arch)
    out.push(
      warn(
        'project.arch',
        `${r.settingsFile} sets arch = "${arch}" on a ${ctx.host.arch} host: every go build here cross-compiles` +
          `${ctx.host.appleSilicon && arch === 'amd64' ? ', and go run/test execute amd64 code under Rosetta' : ''}`,
        `remove arch from ${r.settingsFile} unless that is intended`,
        { arch, hostArch: ctx.host.arch },
      ),
    );
  else
    out.push(
      ok('project.arch', `builds for ${ctx.host.os}/${arch ?? r.archPin ?? ctx.host.arch}`, {
        arch: arch ?? null,
        hostArch: ctx.host.arch,
      }),
    );
  return out;
}
