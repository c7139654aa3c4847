import { GoarmError } from '../core/errors.js';
import type { Home } from '../core/home.js';
import { packageVersion } from '../core/package.js';
import { type Host, host, simulation } from '../core/platform.js';
import {
  DEFAULT_DOWNLOAD_BASE,
  DEFAULT_INDEX_URL,
  DEFAULT_VULNDB_URL,
  type GlobalConfig,
  loadGlobalConfig,
} from '../select/config.js';
import { type DoctorContext, type Finding, fail, ok, type Status, skip } from './findings.js';

/** The stable JSON shape of one check: every key always present (fix null when ok/skip, detail {} when empty). */
export interface CheckReport {
  id: string;
  group: string;
  status: Status;
  message: string;
  fix: string | null;
  detail: Record<string, unknown>;
}
const shape = (f: Finding, group: string): CheckReport => ({
  id: f.id,
  group,
  status: f.status,
  message: f.message,
  fix: f.status === 'ok' || f.status === 'skip' ? null : (f.fix ?? null),
  detail: f.detail ?? {},
});

export interface DoctorReport {
  schema: 1;
  goarm: string;
  home: string;
  cwd: string;
  host: Host;
  ok: boolean;
  counts: Record<Status, number>;
  checks: CheckReport[];
}

type Group = [name: string, ids: string[], load: () => Promise<(ctx: DoctorContext) => Promise<Finding[]>>];
// The order here is the order of the report. `ids` lists what each group reports, for the error fallback.
const GROUPS: Group[] = [
  ['host', ['host.platform', 'host.apple-silicon', 'host.rosetta'], async () => (await import('./host.js')).hostChecks],
  ['config', ['config.global'], async () => configCheck],
  ['path', ['path.shims', 'path.shadow'], async () => (await import('./path.js')).pathChecks],
  [
    'env',
    ['env.goroot', 'env.gotoolchain', 'env.goarch', 'env.gopath', 'env.exports'],
    async () => (await import('./env.js')).envChecks,
  ],
  [
    'installs',
    ['installs.binary', 'installs.version-file', 'installs.links', 'installs.manifests', 'installs.debris'],
    async () => (await import('./installs.js')).installChecks,
  ],
  [
    'shims',
    ['shims.present', 'shims.current', 'shims.integration'],
    async () => (await import('./shims.js')).shimChecks,
  ],
  [
    'project',
    ['project.config', 'project.trust', 'project.version', 'project.arch'],
    async () => (await import('./project.js')).projectChecks,
  ],
  ['cgo', ['cgo.compiler', 'cgo.clt'], async () => (await import('./cgo.js')).cgoChecks],
  ['keys', ['keys.pinned', 'keys.trusted'], async () => (await import('./keys.js')).keyChecks],
  [
    'lifecycle',
    ['lifecycle.vulns', 'lifecycle.system', 'lifecycle.gui-path'],
    async () => (await import('./lifecycle.js')).lifecycleChecks,
  ],
];

export const CHECK_IDS = GROUPS.flatMap(([, ids]) => ids);

const configCheck = async (ctx: DoctorContext): Promise<Finding[]> => [
  ctx.configProblem ??
    ok('config.global', `${ctx.global.path}: valid${ctx.global.default ? `, default go${ctx.global.default}` : ''}`),
];

export async function runDoctor(home: Home, env: NodeJS.ProcessEnv, cwd: string): Promise<DoctorReport> {
  let global: GlobalConfig;
  let configProblem: Finding | undefined;
  try {
    global = await loadGlobalConfig(home, env);
  } catch (e) {
    if (!(e instanceof GoarmError)) throw e;
    configProblem = fail('config.global', e.message, e.hint ?? `fix ${home.config}`);
    global = {
      indexUrl: DEFAULT_INDEX_URL,
      downloadBase: DEFAULT_DOWNLOAD_BASE,
      trustedKeys: [],
      autoInstall: false,
      vulndbUrl: DEFAULT_VULNDB_URL,
      path: home.config,
    };
  }
  const shellName = (env.SHELL ?? '').split('/').pop();
  const ctx: DoctorContext = {
    home,
    env,
    cwd,
    global,
    configProblem,
    now: simulation(env).now ?? new Date(),
    host: host(env),
    shell: shellName === 'bash' || shellName === 'zsh' || shellName === 'fish' ? shellName : undefined,
  };
  const results = await Promise.all(
    GROUPS.map(async ([group, ids, load]) => {
      try {
        return (await (await load())(ctx)).map((f) => shape(f, group));
      } catch (e) {
        // A check that cannot run is itself a finding; it must not hide the others.
        const why = e instanceof Error ? e.message : String(e);
        return [
          shape(
            fail(ids[0], `the ${group} checks could not run: ${why}`, 'rerun with GOARM_DEBUG=1 and report it'),
            group,
          ),
          ...ids.slice(1).map((id) => shape(skip(id, `not run: the ${group} checks failed`), group)),
        ];
      }
    }),
  );
  const checks = results.flat();
  const counts: Record<Status, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return {
    schema: 1,
    goarm: await packageVersion(),
    home: home.root,
    cwd,
    host: ctx.host,
    ok: counts.fail === 0,
    counts,
    checks,
  };
}

const LABEL: Record<Status, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };
const COLOR: Record<Status, string> = { ok: '32', warn: '33', fail: '31', skip: '90' };

export function renderDoctor(r: DoctorReport, color: boolean): string {
  const paint = (s: Status, text: string) => (color ? `\x1b[${COLOR[s]}m${text}\x1b[0m` : text);
  const lines = [`goarm ${r.goarm} doctor — GOARM_HOME=${r.home}, ${r.host.os}/${r.host.arch}`];
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const indent = ' '.repeat(width + 9);
  let group = '';
  for (const c of r.checks) {
    if (c.group !== group) lines.push('', (group = c.group));
    lines.push(
      `  ${paint(c.status, LABEL[c.status])}  ${c.id.padEnd(width)} ${c.message.replace(/\n/g, '\n' + indent)}`,
    );
    if (c.fix && c.status !== 'ok') lines.push(`${indent}fix: ${c.fix}`);
  }
  const { ok: n, warn: w, fail: f, skip: s } = r.counts;
  lines.push(
    '',
    `${f} failed, ${w} warning${w === 1 ? '' : 's'}, ${n} ok, ${s} skipped${f ? ' — see the fix lines above' : ''}`,
  );
  return lines.join('\n');
}
