// What every command needs: the home, the global config, and output helpers that respect --json and NO_COLOR.
import { loadGlobalConfig } from '../config.js';
import { goarmHome } from '../home.js';

export async function context() {
  const home = goarmHome();
  const cfg = await loadGlobalConfig(home);
  return { home, cfg };
}

export const out = (line = '') => process.stdout.write(line + '\n');
export const warn = (line: string) => process.stderr.write(line + '\n');
export const printJson = (data: unknown) => out(JSON.stringify(data, null, 2));
