// The only module that talks HTTP. Uses undici's request() (never stream(): nodejs/undici#5360 crashes the process
// when a server closes the connection right after the body). Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY.
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import { ExitCode, GoarmError, err, redact } from './errors.js';

let dispatcher: Dispatcher | undefined;
const agent = () => (dispatcher ??= new EnvHttpProxyAgent().compose(interceptors.redirect({ maxRedirections: 5 })));

const ATTEMPTS = 5;
const baseDelay = () => Number(process.env.GOARM_RETRY_DELAY_MS ?? 250);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

function httpError(url: string, status: number): GoarmError {
  if (status === 404) return err('E_HTTP_404', ExitCode.NETWORK, `not found (HTTP 404): ${url}`, 'check index_url / download_base in config.toml, or whether the mirror has this file');
  if (status === 401 || status === 403)
    return err('E_HTTP_AUTH', ExitCode.NETWORK, `access denied (HTTP ${status}): ${url}`, 'the server wants credentials this mirror has not been given');
  return err('E_HTTP', ExitCode.NETWORK, `HTTP ${status} from ${url}`, retryable(status) ? 'the server failed repeatedly; try again later or use another mirror' : undefined);
}

function networkError(url: string, e: unknown): GoarmError {
  if (e instanceof GoarmError) return e;
  const code = (e as { code?: string }).code ?? (e as Error).name;
  return err('E_NETWORK', ExitCode.NETWORK, `cannot reach ${new URL(url).host}: ${code} ${(e as Error).message ?? ''}`.trim(),
    'check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then try again', e);
}

/** Runs `fn` with backoff retries on 5xx and connection errors. An attempt that moved the download forward
 * (`progress()` grew) resets the count, so a flaky link that keeps cutting still completes. */
async function withRetries(url: string, fn: () => Promise<void>, progress: () => number = () => 0): Promise<void> {
  for (let attempt = 1, seen = progress(); ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (progress() > seen) { seen = progress(); attempt = 1; }
      const status = (e as { retryStatus?: number }).retryStatus;
      const transient = status !== undefined || !(e instanceof GoarmError);
      if (!transient || attempt >= ATTEMPTS) throw status !== undefined ? httpError(url, status) : networkError(url, e);
      if (process.env.GOARM_DEBUG) process.stderr.write(redact(`retrying ${url} (${(e as Error).message ?? status})\n`));
      await sleep(baseDelay() * 2 ** (attempt - 1));
    }
  }
}

const transientStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { retryStatus: status });

export interface TextResponse { status: 200 | 304; body: string; etag?: string }

/** GET a small text resource, revalidating with an ETag when given one. */
export async function getText(url: string, opts: { etag?: string } = {}): Promise<TextResponse> {
  let out: TextResponse | undefined;
  await withRetries(url, async () => {
    const headers: Record<string, string> = { 'user-agent': 'goarm' };
    if (opts.etag) headers['if-none-match'] = opts.etag;
    const res = await request(url, { dispatcher: agent(), headers });
    if (res.statusCode === 304) { await res.body.dump(); out = { status: 304, body: '' }; return; }
    if (res.statusCode !== 200) {
      await res.body.dump();
      if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
      throw httpError(url, res.statusCode);
    }
    const etag = res.headers.etag;
    out = { status: 200, body: await res.body.text(), etag: typeof etag === 'string' ? etag : undefined };
  });
  return out!;
}

export interface DownloadSink {
  /** Bytes already held; the download resumes after them. */
  offset: number;
  write(chunk: Buffer): Promise<void> | void;
}

/**
 * Streams `url` into `sink` from `sink.offset` on. A cut connection resumes with Range from the bytes already
 * written; a server that ignores Range gets the bytes we already hold skipped. `size` bounds the transfer so a
 * hostile server cannot fill the disk.
 */
export async function download(url: string, sink: DownloadSink, opts: { size?: number; onProgress?: (done: number) => void } = {}): Promise<void> {
  await withRetries(url, async () => {
    if (opts.size !== undefined && sink.offset === opts.size) return;
    const headers: Record<string, string> = { 'user-agent': 'goarm' };
    if (sink.offset > 0) headers.range = `bytes=${sink.offset}-`;
    const res = await request(url, { dispatcher: agent(), headers });
    if (res.statusCode === 416 && sink.offset > 0 && sink.offset === opts.size) { await res.body.dump(); return; }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump();
      if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
      throw httpError(url, res.statusCode);
    }
    let skip = res.statusCode === 200 ? sink.offset : 0;
    if (res.statusCode === 206 && !String(res.headers['content-range'] ?? '').startsWith(`bytes ${sink.offset}-`)) {
      await res.body.dump();
      throw err('E_HTTP_RANGE', ExitCode.NETWORK, `${url} answered a resume request with the wrong range`, 'remove the partial file under downloads/ and try again');
    }
    for await (let chunk of res.body as AsyncIterable<Buffer>) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length);
        skip -= n;
        chunk = chunk.subarray(n);
        if (chunk.length === 0) continue;
      }
      if (opts.size !== undefined && sink.offset + chunk.length > opts.size)
        throw err('E_TOO_LARGE', ExitCode.VERIFY, `${url} sent more bytes than the index says (${opts.size})`, 'the mirror serves a different file; use another mirror');
      await sink.write(chunk);
      sink.offset += chunk.length;
      opts.onProgress?.(sink.offset);
    }
    if (opts.size !== undefined && sink.offset < opts.size) throw new Error(`connection closed after ${sink.offset} of ${opts.size} bytes`);
  }, () => sink.offset);
}
