// Where release bytes may come from. A mirror only ever supplies bytes: the SHA-256 always comes from an index
// goarm trusts (index_url) and the signature must verify against the pinned key, so a mirror cannot make goarm
// install anything Google did not sign. Loaded by config.ts on the shims' cache-miss path: keep it light.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { err } from '../core/errors.js';

export const OFFICIAL_INDEX = 'https://go.dev/dl/?mode=json&include=all';
export const OFFICIAL_FILES = 'https://dl.google.com/go/';
// golang.google.cn is Google's own site for China: the same JSON index and the same signed files.
const CHINA_INDEX = 'https://golang.google.cn/dl/?mode=json&include=all';
const CHINA_FILES = 'https://golang.google.cn/dl/';

export interface Preset {
  /** the trusted pair this preset implies: the index (hashes) and the official host (files of last resort, .asc) */
  index: string;
  official: string;
  /** flat file mirrors tried before the official host */
  files: string[];
  describe: string;
}

const china = { index: CHINA_INDEX, official: CHINA_FILES };
export const PRESETS: Record<string, Preset> = {
  official: {
    index: OFFICIAL_INDEX,
    official: OFFICIAL_FILES,
    files: [],
    describe: 'go.dev index, dl.google.com files',
  },
  china: { ...china, files: [], describe: 'golang.google.cn index and files (Google, reachable from mainland China)' },
  ustc: { ...china, files: ['https://mirrors.ustc.edu.cn/golang/'], describe: 'USTC files; golang.google.cn index' },
  aliyun: { ...china, files: ['https://mirrors.aliyun.com/golang/'], describe: 'Aliyun files; golang.google.cn index' },
  nju: {
    ...china,
    files: ['https://mirrors.nju.edu.cn/golang/'],
    describe: 'Nanjing University files; golang.google.cn index',
  },
};

/** Google's own indexes (go.dev, golang.google.cn): the only ones whose hashes are Google's. */
export const isOfficialIndex = (url: string) => Object.values(PRESETS).some((p) => p.index === url);

/**
 * Public hosts never receive credentials from goarm, whatever ~/.netrc or GOARM_MIRROR_TOKEN say: Google's domains and
 * every subdomain of them (a suffix rule: dl.google.com, storage.googleapis.com, a future CDN name), and the public
 * mirrors of the presets.
 */
const PUBLIC_DOMAINS = [
  'go.dev',
  'golang.org',
  'google.com',
  'googleapis.com',
  'gvt1.com',
  'google.cn',
  'golang.google.cn',
  ...Object.values(PRESETS).flatMap((p) => p.files.map((f) => new URL(f).hostname)),
];
export const isPublicHost = (hostname: string) => {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return PUBLIC_DOMAINS.some((d) => h === d || h.endsWith(`.${d}`));
};

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
export const isPresetName = (s: string) => /^[a-z][a-z0-9-]*$/.test(s);

/** Why a URL-or-path setting is unusable, or undefined. Paths and file: URLs serve synced mirror directories. */
export function locationProblem(s: string): string | undefined {
  if (!SCHEME.test(s)) return s.trim() ? undefined : 'an empty location';
  try {
    const u = new URL(s);
    if (u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'file:') return undefined;
  } catch {
    /* below */
  }
  return `${JSON.stringify(s)} is not an http(s) or file: URL, nor a path`;
}

/** A URL for a setting that may be a path (relative to `base`, `~/` for the home directory). */
export function toLocation(s: string, base: string, dir = false): string {
  let url = SCHEME.test(s)
    ? s
    : pathToFileURL(s.startsWith('~/') ? resolve(homedir(), s.slice(2)) : resolve(base, s)).href;
  if (dir && !url.endsWith('/')) url += '/';
  return url;
}

/** Why a `mirror` entry is unusable, or undefined. Entries are preset names, URLs or paths. */
export function mirrorProblem(entry: string): string | undefined {
  if (isPresetName(entry)) {
    if (Object.hasOwn(PRESETS, entry)) return undefined;
    return (
      `unknown mirror preset ${JSON.stringify(entry)} ` +
      `(presets: ${Object.keys(PRESETS).join(', ')}; a directory is written ./${entry})`
    );
  }
  return locationProblem(entry);
}

export interface MirrorSettings {
  /** the trusted pair implied by the first preset in the list, if any */
  pair?: { index: string; official: string };
  /** file sources, in order; the official host is not included */
  files: string[];
}

/** Turns validated `mirror` entries into file sources; URLs and paths are flat file mirrors. */
export function resolveMirrors(entries: string[], base: string): MirrorSettings {
  const out: MirrorSettings = { files: [] };
  for (const e of entries) {
    const preset = isPresetName(e) ? PRESETS[e] : undefined;
    if (preset) {
      out.pair ??= { index: preset.index, official: preset.official };
      out.files.push(...preset.files, ...(preset.official === out.pair.official ? [] : [preset.official]));
    } else out.files.push(toLocation(e, base, true));
  }
  out.files = [...new Set(out.files)];
  return out;
}

/** "a, b c" or ["a", "b"] → entries; GOARM_MIRROR and `goarm config set mirror` take lists. */
export const splitEntries = (v: string | string[]) =>
  (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);

/** Every place a file may come from, mirrors first and the official host last. */
export const fileSources = (s: { mirrors?: string[]; downloadBase: string }) => [
  ...new Set([...(s.mirrors ?? []), s.downloadBase]),
];

/** `--from <dir|url>`: a mirror directory (made by `goarm mirror sync`) supplies the index and the files. */
export function fromMirror<T extends { indexUrl: string; mirrors?: string[] }>(
  cfg: T,
  from: string,
  cwd = process.cwd(),
): T {
  const problem = locationProblem(from);
  if (problem)
    throw err(
      'E_USAGE',
      `--from: ${problem}`,
      'give a directory made by `goarm mirror sync`, or the http(s) URL it is served at',
    );
  const base = toLocation(from, cwd, true);
  return { ...cfg, indexUrl: base + 'index.json', mirrors: [base] };
}
