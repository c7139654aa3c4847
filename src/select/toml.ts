import { basename } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { err } from '../core/errors.js';

// ------------------------------------------------------------------------------- positions in source

export interface Pos {
  line: number;
  col: number;
}
export interface KeyInfo {
  key: Pos;
  value: Pos;
  endLine: number;
}
export const K = (path: readonly string[]) => path.join('\0');

/**
 * smol-toml gives no positions for keys, so find them with a small scan: table headers and `key =` lines,
 * skipping multi-line strings and arrays. Inline-table members map to their parent key (see `where`).
 */
export function scan(src: string): { keys: Map<string, KeyInfo>; headers: number[] } {
  const out = new Map<string, KeyInfo>();
  const headers: number[] = [];
  const lines = src.split(/\r?\n/);
  let table: string[] = [];
  const st = { ml: '' as '' | '"""' | "'''", depth: 0 };
  let open: KeyInfo | undefined; // the key whose value is still running over lines
  lines.forEach((text, n) => {
    let i = 0;
    if (!st.ml && st.depth === 0) {
      open = undefined;
      i = skipWs(text, 0);
      if (text[i] === '[') {
        const k = readKey(text, skipWs(text, i + (text[i + 1] === '[' ? 2 : 1)));
        if (k) {
          table = k.parts;
          headers.push(n + 1);
          const p = { line: n + 1, col: i + 1 };
          for (let j = 1; j <= table.length; j++)
            if (!out.has(K(table.slice(0, j)))) out.set(K(table.slice(0, j)), { key: p, value: p, endLine: n + 1 });
        }
        return;
      }
      const k = text[i] === '#' ? undefined : readKey(text, i);
      if (k) {
        const eq = skipWs(text, k.end);
        if (text[eq] === '=') {
          const v = skipWs(text, eq + 1);
          const path = [...table, ...k.parts];
          open = { key: { line: n + 1, col: k.start + 1 }, value: { line: n + 1, col: v + 1 }, endLine: n + 1 };
          for (let j = table.length + 1; j <= path.length; j++)
            if (!out.has(K(path.slice(0, j)))) out.set(K(path.slice(0, j)), open);
          i = v;
        }
      }
    }
    if (open) open.endLine = n + 1;
    scanValue(text, i, st);
  });
  return { keys: out, headers };
}

const skipWs = (s: string, i: number) => {
  while (s[i] === ' ' || s[i] === '\t') i++;
  return i;
};

function readKey(s: string, i: number): { parts: string[]; start: number; end: number } | undefined {
  const start = i;
  const parts: string[] = [];
  for (;;) {
    const m = /^(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')/.exec(s.slice(i));
    if (!m) return undefined;
    const raw = m[0];
    parts.push(raw[0] === '"' ? safeJson(raw) : raw[0] === "'" ? raw.slice(1, -1) : raw);
    i = skipWs(s, i + raw.length);
    if (s[i] !== '.') return { parts, start, end: i };
    i = skipWs(s, i + 1);
  }
}
const safeJson = (q: string) => {
  try {
    return JSON.parse(q) as string;
  } catch {
    return q.slice(1, -1);
  }
};

// Advances over one line of a value, tracking multi-line strings and bracket depth across lines.
function scanValue(s: string, i: number, st: { ml: '' | '"""' | "'''"; depth: number }) {
  while (i < s.length) {
    if (st.ml) {
      if (st.ml === '"""' && s[i] === '\\') {
        i += 2;
        continue;
      }
      if (s.startsWith(st.ml, i)) {
        i += 3;
        st.ml = '';
      } else i++;
      continue;
    }
    const c = s[i];
    if (c === '#') return;
    if (s.startsWith('"""', i) || s.startsWith("'''", i)) {
      st.ml = s.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < s.length && s[i] !== c) i += c === '"' && s[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '[' || c === '{') st.depth++;
    else if ((c === ']' || c === '}') && st.depth > 0) st.depth--;
    i++;
  }
}

// ------------------------------------------------------------------------------------ schema checks

export type Check = (v: unknown, path: string) => string | undefined;
export type Rule = Check | { [key: string]: Rule };
export interface Ctx {
  file: string;
  pos: Map<string, KeyInfo>;
  problems: { pos: Pos; msg: string }[];
}

function where(ctx: Ctx, path: string[], part: 'key' | 'value'): Pos {
  for (let j = path.length; j > 0; j--) {
    const info = ctx.pos.get(K(path.slice(0, j)));
    if (info) return j === path.length ? info[part] : info.key;
  }
  return { line: 1, col: 1 };
}
export const report = (ctx: Ctx, path: string[], part: 'key' | 'value', msg: string) =>
  ctx.problems.push({ pos: where(ctx, path, part), msg });

export function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
  return `a ${typeof v}`;
}
export const isTable = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

// No setting can hold a NUL: the environment, argv and paths all end a string there.
const nul = (p: string) => `${p} contains a NUL character (\\u0000), which no setting or environment variable can hold`;
export const str =
  (extra?: (s: string) => string | undefined): Check =>
  (v, p) =>
    typeof v !== 'string' ? `${p} must be a string, not ${typeName(v)}` : v.includes('\0') ? nul(p) : extra?.(v);
export const bool: Check = (v, p) =>
  typeof v === 'boolean' ? undefined : `${p} must be true or false, not ${typeName(v)}`;
export const strList =
  (item?: (s: string) => string | undefined): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be an array of strings, not ${typeName(v)}`;
    const bad = v.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) return `${p}[${bad}] must be a string, not ${typeName(v[bad])}`;
    const withNul = v.findIndex((x) => (x as string).includes('\0'));
    if (withNul >= 0) return nul(`${p}[${withNul}]`);
    for (const x of v) {
      const m = item?.(x as string);
      if (m) return `${p}: ${m}`;
    }
    return undefined;
  };
function validate(ctx: Ctx, value: Record<string, unknown>, rules: Record<string, Rule>, path: string[]) {
  for (const [key, v] of Object.entries(value)) {
    const p = [...path, key];
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === undefined) {
      const where = path.length ? ` in [${path.join('.')}]` : '';
      report(ctx, p, 'key', `unknown key ${JSON.stringify(key)}${where}${suggest(key, Object.keys(rules))}`);
    } else if (typeof rule === 'function') {
      const m = rule(v, p.join('.'));
      if (m) report(ctx, p, 'value', m);
    } else if (!isTable(v)) report(ctx, p, 'value', `${p.join('.')} must be a table, not ${typeName(v)}`);
    else validate(ctx, v, rule, p);
  }
}

/** " (did you mean "x"?)" for the closest candidate within a small edit distance, else "". */
export function suggest(word: string, candidates: string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD && d <= Math.max(1, Math.floor(c.length / 3))) [best, bestD] = [c, d];
  }
  return best ? `; did you mean ${JSON.stringify(best)}?` : '';
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("arm46" → "arm64" is 1).
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** smol-toml parse; a syntax error becomes E_CONFIG at smol-toml's own line:col. */
export function parseSyntax(file: string, src: string): Record<string, unknown> {
  try {
    return parseToml(src);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const msg = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    throw err('E_CONFIG', `${file}:${e.line}:${e.column}: ${msg}`, `fix the TOML syntax in ${basename(file)}`, e);
  }
}

/** Parses and validates; throws one E_CONFIG listing every problem, or returns the table and key positions. */
export function check(
  file: string,
  src: string,
  rules: Record<string, Rule>,
  extra?: (ctx: Ctx, t: Record<string, unknown>) => void,
) {
  const table = parseSyntax(file, src);
  const ctx: Ctx = { file, pos: scan(src).keys, problems: [] };
  validate(ctx, table, rules, []);
  extra?.(ctx, table);
  if (ctx.problems.length) {
    ctx.problems.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    const lines = ctx.problems.map((p) => `${file}:${p.pos.line}:${p.pos.col}: ${p.msg}`);
    throw err(
      'E_CONFIG',
      lines.join('\n'),
      `fix ${lines.length === 1 ? 'this problem' : `these ${lines.length} problems`} in ${basename(file)}; ` +
        'the keys are described in README.md (Configuration)',
    );
  }
  return { table, pos: ctx.pos };
}
