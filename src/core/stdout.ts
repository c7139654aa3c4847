// Output to stdout for the commands and entries. Not through process.stdout: creating that stream loads Node's net,
// tty and stream code, ~5 ms of a light command's start-up. A plain write(2) to fd 1 is what the stream would do on
// a file, a terminal or (on Linux) a pipe anyway.
import { writeSync } from 'node:fs';

/**
 * Writes text to fd 1, all of it. A reader that went away (EPIPE, `goarm ls-remote | head -1`) ends the output
 * quietly; a non-blocking stdout that is full (EAGAIN) hands the rest to process.stdout, which waits for it.
 */
export function writeStdout(text: string): void {
  const buf = Buffer.from(text);
  let done = 0;
  try {
    while (done < buf.length) done += writeSync(1, buf, done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') process.stdout.write(buf.subarray(done));
    else if (code !== 'EPIPE') throw e;
  }
}
