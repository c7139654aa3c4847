// The install progress bar on a real terminal: `goarm install` runs under script(1) (a pty) against a local mirror
// that sends the tarball in slices, so bytes flow for a couple of seconds. Every redraw is timestamped as it
// reaches us: the bar must redraw steadily while bytes flow (≤ 200 ms apart by design; the check leaves room for a
// loaded machine), name each phase, and never go backwards. --quiet silences it; NO_COLOR drops its colour.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupTempHomes, GOARM_BIN } from '../helpers/cli.js';
import { makeGoTarball } from '../helpers/gotree.js';
import { makeKey, type TestKey } from '../helpers/keys.js';
import { type Mirror, startMirror } from '../helpers/mirror.js';
import { makeEnv, publish } from '../integration/install-fixture.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let mirror: Mirror;
let key: TestKey;
beforeAll(async () => {
  [mirror, key] = await Promise.all([startMirror(), makeKey()]);
});
afterAll(async () => {
  await mirror?.close();
  await cleanupTempHomes();
});

interface Frame {
  at: number;
  text: string;
}

/** Runs `goarm install <version> ...args` on a pty; returns every \r-started frame with the time it arrived. */
async function onTerminal(version: string, args: string[], extraEnv: Record<string, string> = {}) {
  const env = await makeEnv(mirror, [key]);
  const { filename } = await publish(mirror, key, version, {
    body: await makeGoTarball({
      version,
      extraFiles: { 'go/misc/blob.txt': randomBytes(1_100_000).toString('base64') },
    }),
  });
  mirror.fault(filename, { throttle: { bytes: 64 * 1024, everyMs: 60 } });
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(GO|GOARM_)|_proxy$|^NO_COLOR$/i.test(k)) childEnv[k] = v;
  Object.assign(childEnv, { GOARM_HOME: env.home, GOARM_INDEX_TTL: '0', TERM: 'xterm' }, extraEnv);
  const cmd = [process.execPath, GOARM_BIN, 'install', version, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const frames: Frame[] = [];
  let all = '';
  child.stdout.on('data', (b: Buffer) => {
    const at = Date.now();
    const text = b.toString();
    all += text;
    const parts = text.split('\r');
    parts.slice(1).forEach((p) => frames.push({ at, text: p }));
    if (frames.length && parts[0]) frames[frames.length - 1].text += parts[0];
  });
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  return { code, frames: frames.filter((f) => f.text.trim()), all };
}

const mb = (f: Frame) => Number(/ ([\d.]+)\/[\d.]+ MB/.exec(f.text)?.[1]);

describe('install progress on a terminal', () => {
  it('redraws steadily while bytes flow, names each phase, never goes backwards', async () => {
    const r = await onTerminal('1.21.1', []);
    expect(r.code, r.all).toBe(0);
    expect(r.all).toContain('installed go1.21.1');
    const down = r.frames.filter((f) => f.text.includes('downloading'));
    // ~1.5 MB at 64 KiB per 60 ms: about 1.4 s of transfer.
    const span = down.at(-1)!.at - down[0].at;
    expect(span).toBeGreaterThan(800);
    expect(down.length).toBeGreaterThanOrEqual(Math.floor(span / 200));
    const gaps = down.slice(1).map((f, i) => f.at - down[i].at);
    const sorted = [...gaps].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.9)], JSON.stringify(gaps)).toBeLessThanOrEqual(250);
    expect(Math.max(...gaps), JSON.stringify(gaps)).toBeLessThan(1000);
    const sizes = down.map(mb).filter((x) => !Number.isNaN(x));
    expect(sizes.length).toBe(down.length);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]);
    expect(new Set(sizes).size).toBeGreaterThan(5); // it moves, not one jump at the end
    const phases = r.frames.map((f) => /(downloading|verifying|unpacking|checking)/.exec(f.text)?.[1]).filter(Boolean);
    expect([...new Set(phases)]).toEqual(['downloading', 'verifying', 'unpacking', 'checking']);
    expect(r.all).toContain('\x1b[36mdownloading\x1b[0m'); // colour on a terminal without NO_COLOR
    // The line is cleared before the result is printed.
    expect(r.all.slice(r.all.lastIndexOf('checking'))).toMatch(/\r\x1b\[K[\s\S]*installed go1\.21\.1/);
  });

  it('NO_COLOR keeps the bar but drops its colour', async () => {
    const r = await onTerminal('1.21.2', [], { NO_COLOR: '1' });
    expect(r.code, r.all).toBe(0);
    expect(r.all).toContain('downloading');
    expect(r.all).not.toContain('\x1b[36m');
  });

  it('--quiet shows no bar', async () => {
    const r = await onTerminal('1.21.3', ['--quiet']);
    expect(r.code, r.all).toBe(0);
    expect(r.all).not.toMatch(/downloading|verifying|unpacking|checking/);
  });
});
