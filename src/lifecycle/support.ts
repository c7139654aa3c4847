// Go's release policy: each major release is supported until there are two newer major releases. From the release
// index: the supported minors are the two newest with a stable release; a minor's support ended when the second
// minor after it had its first release. The index carries no dates, so that release is what we can name.
import { compare, isPrerelease, parse } from '../core/goversion.js';
import type { Release } from '../install/release-index.js';

export interface Support {
  minor: string;
  supported: boolean;
  /** the newest stable patch of this minor in the index */
  newest?: string;
  /** the first release of the minor that ended support for this one (e.g. 1.24.0 for 1.22) */
  endedBy?: string;
}

export const minorOf = (v: string) => `${parse(v).major}.${parse(v).minor}`;

export function supportOf(version: string, releases: Release[]): Support {
  const minor = minorOf(version);
  const stable = releases.filter((r) => r.stable && !isPrerelease(r.version)).map((r) => r.version);
  const first = new Map<string, string>(); // minor → its oldest stable release
  for (const v of stable) {
    const m = minorOf(v);
    const have = first.get(m);
    if (!have || compare(v, have) < 0) first.set(m, v);
  }
  const newer = [...first.keys()].filter((m) => compare(m, minor) > 0).sort(compare);
  const newest = stable.filter((v) => minorOf(v) === minor).sort((a, b) => compare(b, a))[0];
  return newer.length < 2
    ? { minor, supported: true, newest }
    : { minor, supported: false, newest, endedBy: first.get(newer[1]) };
}
