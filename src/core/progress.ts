// A one-line progress bar on stderr, only when stderr is a terminal (never in CI logs or pipes).
const MB = 1024 * 1024;

export interface Progress {
  update(done: number): void;
  done(): void;
}

export function progressBar(label: string, total: number, enabled = Boolean(process.stderr.isTTY)): Progress {
  if (!enabled || total <= 0) return { update() {}, done() {} };
  const start = Date.now();
  let last = 0;
  const draw = (done: number) => {
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const width = 24;
    const fill = Math.round((done / total) * width);
    const bar = '#'.repeat(fill) + '-'.repeat(width - fill);
    process.stderr.write(
      `\r${label} [${bar}] ${(done / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB ` +
        `${(rate / MB).toFixed(1)} MB/s ETA ${eta}s\x1b[K`,
    );
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done);
    },
    done() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
