// Vulnerability lines for the commands that name one version (current, install, doctor): the release index is
// not needed, only the database (from its cache within the TTL). Never reached from a shim.
import type { Home } from '../core/home.js';
import type { GlobalConfig } from '../select/config.js';
import { loadVulnDb } from './vulndb.js';
import { type VulnReport, vulnsOf } from './vulns.js';

/** Reports for `versions` (undefined when no data could be had, after a warning). */
export async function vulnReports(
  home: Home,
  cfg: GlobalConfig,
  versions: string[],
  warn: (m: string) => void,
  opts: { cacheOnly?: boolean } = {},
): Promise<VulnReport[] | undefined> {
  if (process.env.GOARM_VULNDB === 'off' || !versions.length) return undefined;
  const db = await loadVulnDb(home, cfg.vulndbUrl, warn, opts);
  return db && versions.map((v) => vulnsOf(v, db.entries));
}
