// A one-line progress bar on stderr, only when stderr is a terminal (never in CI logs or pipes). It redraws on a
// timer (every REDRAW_MS) as well as on progress, so it moves steadily while bytes flow and shows that work goes on
// in the phases without a byte count (verifying, unpacking, checking) instead of freezing and then jumping.
const MB = 1024 * 1024;
const REDRAW_MS = 100;
const SPIN = '|/-\\';

type Phase = 'downloading' | 'verifying' | 'unpacking' | 'checking';

export interface Progress {
  /** Bytes done so far, in the downloading phase. */
  update(done: number): void;
  /** The next phase (shown until the next call or done()). */
  phase(name: Phase): void;
  /** Clears the line and stops the timer. */
  done(): void;
}

const color = () => !process.env.NO_COLOR && process.env.TERM !== 'dumb';

export function progressBar(label: string, total: number, enabled = Boolean(process.stderr.isTTY)): Progress {
  if (!enabled || total <= 0) return { update() {}, phase() {}, done() {} };
  const start = Date.now();
  let bytes = 0;
  let phase: Phase = 'downloading';
  let phaseStart = start;
  let frames = 0;
  const cyan = (s: string) => (color() ? `\x1b[36m${s}\x1b[0m` : s);
  const draw = () => {
    const now = Date.now();
    const spin = SPIN[frames++ % SPIN.length];
    let line: string;
    if (phase === 'downloading') {
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? bytes / secs : 0;
      const eta = rate > 0 ? Math.round((total - bytes) / rate) : 0;
      const width = 24;
      const fill = Math.min(width, Math.round((bytes / total) * width));
      line =
        `${label} ${cyan(phase)} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ` +
        `${(bytes / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB ${(rate / MB).toFixed(1)} MB/s ETA ${eta}s ${spin}`;
    } else line = `${label} ${cyan(phase)} ${spin} ${((now - phaseStart) / 1000).toFixed(1)}s`;
    process.stderr.write(`\r${line}\x1b[K`);
    last = now;
  };
  let last = 0;
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  draw();
  return {
    update(done) {
      bytes = done;
      if (Date.now() - last >= REDRAW_MS) draw();
    },
    phase(name) {
      phase = name;
      phaseStart = Date.now();
      draw();
    },
    done() {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}
