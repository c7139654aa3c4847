// The POSIX sh syntax of the resolve cache (shell/cache.ts): sourced by the shims under any sh (dash, bash, zsh)
// and by the bash and zsh prompt hooks. Staleness tests first (`return 1` before setting anything), then the
// verdict, then the exports. Every value goes through q().
import type { CacheSpec } from './cache.js';
import { q } from './quote.js';

export function renderShCache(c: CacheSpec): string {
  const lines = ['# goarm resolve cache (generated; safe to delete)'];
  if (c.onlyWithEnvVersion) lines.push('[ -n "${GOARM_VERSION-}" ] || return 1');
  // The shim sets _goarm_new when it sources a cache just written for this very call: then a dependency touched
  // within the last second (the cache is dated a second early, see writeCache) must not make it look stale.
  lines.push('if [ -z "${_goarm_new-}" ]; then');
  for (const f of c.deps.changed) lines.push(`[ ${q(f)} -nt "$_goarm_c" ] && return 1; [ -e ${q(f)} ] || return 1`);
  for (const f of c.deps.appear) lines.push(`[ -e ${q(f)} ] && return 1`);
  lines.push('fi');
  if ('root' in c.verdict) lines.push(`_goarm_root=${q(c.verdict.root)}`);
  else lines.push(`_goarm_err=${q(c.verdict.err)}`, `_goarm_errcode=${c.verdict.code}`);
  if (c.arch) lines.push(`_goarm_arch=${q(c.arch)}`);
  if (c.note) lines.push(`_goarm_note=${q(c.note)}`);
  // The shell hook (goarm use) sources this too, with _goarm_hook set: it needs the verdict, not the exports.
  lines.push('_goarm_fresh=1', '[ -z "${_goarm_hook-}" ] || return 0');
  // The caller's own setting wins (like GOARCH), except where forced (GOTOOLCHAIN: go must never fetch a
  // toolchain behind goarm's back).
  for (const { name, value, force } of c.env)
    lines.push(force ? `export ${name}=${q(value)}` : `[ -n "\${${name}+x}" ] || export ${name}=${q(value)}`);
  lines.push('');
  return lines.join('\n');
}
