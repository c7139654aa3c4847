// What a doctor check returns, and the context every check reads. Check modules import only this, never index.ts.
import type { Home } from '../core/home.js';
import type { Host } from '../core/platform.js';
import { nativeVersions } from '../install/versions.js';
import type { GlobalConfig } from '../select/config.js';
import { type Resolution, resolveDir } from '../select/resolve.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';
export interface Finding {
  id: string;
  status: Status;
  message: string;
  fix?: string;
  detail?: Record<string, unknown>;
}

export interface DoctorContext {
  home: Home;
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: Host;
  now: Date;
  global: GlobalConfig; // defaults when config.toml is broken (config.global reports that)
  shell?: 'bash' | 'zsh' | 'fish'; // the login shell ($SHELL), for naming rc files
  configProblem?: Finding; // config.toml did not load
}

export const ok = (id: string, message: string, detail?: Record<string, unknown>): Finding => ({
  id,
  status: 'ok',
  message,
  detail,
});
export const skip = (id: string, message: string): Finding => ({ id, status: 'skip', message });
export const warn = (id: string, message: string, fix: string, detail?: Record<string, unknown>): Finding => ({
  id,
  status: 'warn',
  message,
  fix,
  detail,
});
export const fail = (id: string, message: string, fix: string, detail?: Record<string, unknown>): Finding => ({
  id,
  status: 'fail',
  message,
  fix,
  detail,
});

const resolutions = new WeakMap<DoctorContext, Promise<Resolution>>();
/**
 * Which Go applies in ctx.cwd, resolved once per doctor run for every group that asks. resolveDir, not resolveHere:
 * doctor must never install (auto_install). A rejection (a broken project file) reaches every caller.
 */
export function resolveHereOnce(ctx: DoctorContext): Promise<Resolution> {
  let r = resolutions.get(ctx);
  if (!r) {
    r = nativeVersions(ctx.home).then((installed) =>
      resolveDir(ctx.cwd, { home: ctx.home, env: ctx.env, installed, global: ctx.global, hostArch: ctx.host.arch }),
    );
    resolutions.set(ctx, r);
  }
  return r;
}
