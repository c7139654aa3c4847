// `goarm upgrade`: the newest patch of each named (or every installed) minor; an exact global default moves with
// it, a spec default (1.22) follows by itself; project pins naming an old patch are listed, and rewritten only when
// asked (keeping comments: .goarm.toml as `goarm pin` edits it, the version token alone in .go-version and
// .tool-versions). go.mod is Go's file: its toolchain line is only reported.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { err } from '../core/errors.js';
import { atomicWrite } from '../core/fs.js';
import { compare, isPrerelease } from '../core/goversion.js';
import type { Home } from '../core/home.js';
import { install } from '../install/pipeline.js';
import { loadIndex, parseSpec, resolveSpec } from '../install/release-index.js';
import { listInstalled } from '../install/versions.js';
import { type GlobalConfig, pinProjectVersion, setGlobalDefault } from '../select/config.js';
import { resolveAndCache } from '../shell/hook.js';
import { isExact, type Pin, projectPins } from './outdated.js';
import { minorOf } from './support.js';

export interface UpgradeResult {
  minors: { minor: string; newest: string; installed: boolean; from: string[] }[];
  default?: { spec: string; from?: string; to?: string; moved: boolean };
  pins: (Pin & { to: string; rewritten: boolean; note?: string })[];
  /** installed patches an upgraded minor no longer needs (what --prune may remove) */
  superseded: string[];
}

export async function upgrade(
  home: Home,
  cfg: GlobalConfig,
  specs: string[],
  opts: { all: boolean; pins: boolean; quiet: boolean; warn: (m: string) => void; env: NodeJS.ProcessEnv },
): Promise<UpgradeResult> {
  if (!specs.length && !opts.all)
    throw err('E_USAGE', 'name a minor to upgrade, or --all', 'e.g. goarm upgrade 1.22, or goarm upgrade --all');
  const index = await loadIndex(home, cfg.indexUrl, opts.warn);
  const before = (await listInstalled(home)).filter((i) => !i.platform);
  const minors = new Set<string>();
  for (const s of specs) {
    const p = parseSpec(s);
    minors.add(minorOf(p.kind === 'latest' ? resolveSpec('latest', index.releases).version : p.version));
  }
  if (opts.all) for (const i of before) if (!isPrerelease(i.version)) minors.add(minorOf(i.version));
  if (!minors.size)
    throw err(
      'E_NOT_INSTALLED',
      'no Go versions are installed, so there is nothing to upgrade',
      'run: goarm install latest',
    );
  const result: UpgradeResult = { minors: [], pins: [], superseded: [] };
  for (const minor of [...minors].sort(compare)) {
    const newest = resolveSpec(minor, index.releases).version;
    const from = before.filter((i) => minorOf(i.version) === minor && compare(i.version, newest) < 0);
    const have = before.some((i) => i.version === newest);
    if (!have) await install(home, cfg, newest, { quiet: opts.quiet, warn: opts.warn });
    result.minors.push({ minor, newest, installed: !have, from: from.map((i) => i.version) });
    result.superseded.push(...from.map((i) => i.name));
  }
  const newestOf = (v: string) => result.minors.find((m) => m.minor === minorOf(v))?.newest;

  if (cfg.default && newestOf(cfg.default)) {
    const to = newestOf(cfg.default)!;
    const move = isExact(cfg.default) && compare(cfg.default, to) < 0;
    if (move) await setGlobalDefault(home, to);
    result.default = { spec: cfg.default, from: move ? cfg.default : undefined, to, moved: move };
  }
  for (const p of await projectPins(home, cfg, opts.env)) {
    const to = newestOf(p.spec);
    if (!to || !isExact(p.spec) || compare(p.spec, to) >= 0) continue;
    const note =
      p.kind === 'go.mod toolchain' ? `go.mod is Go's file: change its toolchain line to go${to}` : undefined;
    const rewrite = opts.pins && !note;
    if (rewrite) {
      await rewritePin(p, to);
      // The directory's resolve caches still name the old root, which `goarm prune` would keep: renew them.
      await resolveAndCache(p.dir, { fish: true }).catch(() => undefined);
    }
    result.pins.push({ ...p, to, rewritten: rewrite, note });
  }
  return result;
}

async function rewritePin(p: Pin, to: string): Promise<void> {
  if (p.kind === 'goarm.toml') {
    await pinProjectVersion(dirname(p.file), to);
    return;
  }
  // .go-version / .tool-versions: replace the version token on its line, keeping a "go" prefix and any comment.
  const text = await readFile(p.file, 'utf8');
  const lines = text.split('\n');
  const i = (p.line ?? 1) - 1;
  const token = new RegExp(`(^|\\s)(go)?${p.spec.replaceAll('.', '\\.')}(?=\\s|#|$)`);
  if (!token.test(lines[i] ?? ''))
    throw err('E_CONFIG', `${p.file}:${p.line}: cannot find go${p.spec} to rewrite`, `set go${to} there by hand`);
  lines[i] = lines[i].replace(token, (_m, sp: string, go?: string) => `${sp}${go ?? ''}${to}`);
  await atomicWrite(p.file, lines.join('\n'));
}
