// What a doctor check returns, and the context every check reads. Check modules import only this, never index.ts.
import type { Home } from '../core/home.js';
import type { Host } from '../core/platform.js';
import type { GlobalConfig } from '../select/config.js';

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
