// The only module that talks HTTP. Uses undici's request() (never stream(): nodejs/undici#5360 crashes the process
// when a server closes the connection right after the body; see download() for the same trap in request()).
// Proxies come from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (CONNECT for https). file: URLs read a local mirror directory
// through the same two calls.
// Credentials: an Authorization header goes only to the origin it belongs to (credentials.ts decides), and undici's
// redirect interceptor drops Authorization, Cookie and Proxy-Authorization when a redirect changes the origin.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Dispatcher, EnvHttpProxyAgent, interceptors, request } from 'undici';
import { err, GoarmError, redact } from '../core/errors.js';
import { atCommandEnd } from '../core/exit.js';
import { isPublicHost } from './mirrors.js';
import { displayUrl, isFileUrl } from './url.js';

let dispatcher: Dispatcher | undefined;
// proxyTunnel: false sends plain-http requests to an http proxy in absolute form, as curl and Go do (many proxies
// allow CONNECT only to port 443); https always tunnels with CONNECT, so the proxy never sees its headers.
const agent = () => {
  if (!dispatcher) {
    dispatcher = new EnvHttpProxyAgent({ proxyTunnel: false }).compose(interceptors.redirect({ maxRedirections: 5 }));
    atCommandEnd(closeHttp);
  }
  return dispatcher;
};

/** Drops the pooled connections: without it idle keep-alive sockets keep the process alive after the command. */
async function closeHttp(): Promise<void> {
  const d = dispatcher;
  dispatcher = undefined;
  await d?.destroy();
}

const ATTEMPTS = 5;
const baseDelay = () => Number(process.env.GOARM_RETRY_DELAY_MS ?? 250);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;
const debug = (line: string) => {
  if (process.env.GOARM_DEBUG) process.stderr.write(redact(line) + '\n');
};

export interface RequestOptions {
  /** tries before giving up on a transient failure (default 5); a caller with another mirror to try uses fewer */
  attempts?: number;
}

export { displayUrl, isFileUrl };
/** A missing file, over HTTP (404) or in a local mirror directory. */
export const isNotFound = (e: unknown) =>
  e instanceof GoarmError && (e.code === 'E_HTTP_404' || e.code === 'E_FILE_NOT_FOUND');

interface Auth {
  header: string;
  source: string;
}
interface Target {
  url: string;
  shown: string;
  origin: string;
  headers: Record<string, string>;
  auth?: Auth;
}

/** userinfo in the URL wins; public hosts never get credentials; anything else asks credentials.ts (loaded lazily). */
async function target(url: string): Promise<Target> {
  const u = new URL(url);
  let auth: Auth | undefined;
  if (u.username || u.password) {
    auth = {
      header:
        'Basic ' +
        Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64'),
      source: 'the URL',
    };
    u.username = '';
    u.password = '';
  } else if (!isPublicHost(u.hostname)) {
    auth = await (await import('./credentials.js')).credentialFor(u);
  }
  const headers: Record<string, string> = { 'user-agent': 'goarm' };
  if (auth) headers.authorization = auth.header;
  return { url: u.href, shown: u.href, origin: u.origin, headers, auth };
}

function httpError(t: Target, status: number): GoarmError {
  const url = t.shown;
  if (status === 404)
    return err(
      'E_HTTP_404',
      `not found (HTTP 404): ${url}`,
      'check index_url / download_base / mirror in config.toml, or whether the mirror has this file',
    );
  if (status === 401 || status === 403) {
    const login = `\`goarm login ${t.origin}\``;
    return t.auth
      ? err(
          'E_HTTP_AUTH',
          `${t.origin} refused the credentials from ${t.auth.source} (HTTP ${status}): ${url}`,
          `store valid ones with ${login} (a token, or user:password), or fix ~/.netrc / GOARM_MIRROR_TOKEN`,
        )
      : err(
          'E_HTTP_AUTH',
          `access denied (HTTP ${status}): ${url} needs credentials`,
          `run ${login} (it asks for a token or user:password), ` +
            `or add machine ${new URL(url).hostname} to ~/.netrc, or set GOARM_MIRROR_TOKEN`,
        );
  }
  return err(
    'E_HTTP',
    `HTTP ${status} from ${url}`,
    retryable(status) ? 'the server failed repeatedly; try again later or use another mirror' : undefined,
  );
}

function networkError(url: string, e: unknown): GoarmError {
  if (e instanceof GoarmError) return e;
  const code = (e as { code?: string }).code ?? (e as Error).name;
  return err(
    'E_NETWORK',
    `cannot reach ${new URL(url).host}: ${code} ${(e as Error).message ?? ''}`.trim(),
    'check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then try again',
    e,
  );
}

/** Runs `fn` with backoff retries on 5xx and connection errors. An attempt that moved the download forward
 * (`progress()` grew) resets the count, so a flaky link that keeps cutting still completes. */
async function withRetries(
  t: Target,
  fn: () => Promise<void>,
  progress: () => number = () => 0,
  attempts = ATTEMPTS,
): Promise<void> {
  for (let attempt = 1, seen = progress(); ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (progress() > seen) {
        seen = progress();
        attempt = 1;
      }
      const status = (e as { retryStatus?: number }).retryStatus;
      const transient = status !== undefined || !(e instanceof GoarmError);
      if (!transient || attempt >= attempts)
        throw status !== undefined ? httpError(t, status) : networkError(t.shown, e);
      debug(`retrying ${t.shown} (${(e as Error).message ?? status})`);
      await sleep(baseDelay() * 2 ** (attempt - 1));
    }
  }
}

const transientStatus = (status: number) => Object.assign(new Error(`HTTP ${status}`), { retryStatus: status });

function fileError(url: string, e: unknown): GoarmError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return err(
      'E_FILE_NOT_FOUND',
      `not found: ${url}`,
      'check the mirror directory (index_url / download_base / --from), or sync it again with `goarm mirror sync`',
    );
  if (code === 'EISDIR')
    return err(
      'E_FILE_IS_DIR',
      `${url} is a directory`,
      'point index_url at the index.json inside it, or use `goarm install --from <dir>`',
    );
  return err('E_FILE', `cannot read ${url}: ${(e as Error).message}`, undefined, e);
}

export interface TextResponse {
  status: 200 | 304;
  body: string;
  etag?: string;
  lastModified?: string;
}

/** GET a small text resource, revalidating with an ETag and/or Last-Modified date when given them. */
export async function getText(
  url: string,
  opts: { etag?: string; lastModified?: string } & RequestOptions = {},
): Promise<TextResponse> {
  if (isFileUrl(url)) {
    try {
      return { status: 200, body: await readFile(fileURLToPath(url), 'utf8') };
    } catch (e) {
      throw fileError(url, e);
    }
  }
  const t = await target(url);
  let out: TextResponse | undefined;
  await withRetries(
    t,
    async () => {
      const headers = { ...t.headers };
      if (opts.etag) headers['if-none-match'] = opts.etag;
      if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
      debug(`GET ${t.shown}${t.auth ? ` (credentials from ${t.auth.source})` : ''}`);
      const res = await request(t.url, { dispatcher: agent(), headers });
      if (res.statusCode === 304) {
        await res.body.dump();
        out = { status: 304, body: '' };
        return;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
        throw httpError(t, res.statusCode);
      }
      const { etag, 'last-modified': lastModified } = res.headers;
      out = {
        status: 200,
        body: await res.body.text(),
        etag: typeof etag === 'string' ? etag : undefined,
        lastModified: typeof lastModified === 'string' ? lastModified : undefined,
      };
    },
    undefined,
    opts.attempts,
  );
  return out!;
}

export interface DownloadSink {
  /** Bytes already held; the download resumes after them. */
  offset: number;
  write(chunk: Buffer): Promise<void> | void;
}
type DownloadOptions = { size?: number; onProgress?: (done: number) => void } & RequestOptions;

/**
 * Streams `url` into `sink` from `sink.offset` on. A cut connection resumes with Range from the bytes already
 * written; a server that ignores Range gets the bytes we already hold skipped. `size` bounds the transfer so a
 * hostile server cannot fill the disk.
 */
export async function download(url: string, sink: DownloadSink, opts: DownloadOptions = {}): Promise<void> {
  if (isFileUrl(url)) return copyFile(url, sink, opts);
  const t = await target(url);
  await withRetries(
    t,
    async () => {
      if (opts.size !== undefined && sink.offset === opts.size) return;
      const headers = { ...t.headers };
      if (sink.offset > 0) headers.range = `bytes=${sink.offset}-`;
      debug(
        `GET ${t.shown}${headers.range ? ` (${headers.range})` : ''}` +
          `${t.auth ? ` (credentials from ${t.auth.source})` : ''}`,
      );
      // The body buffers up to the whole remaining file instead of pausing undici's parser: a paused parser hit by
      // the server closing the socket right after the body trips an uncatchable assertion (nodejs/undici#5360, seen
      // with request() too once the consumer applies backpressure). The index's size bounds the buffer.
      const highWaterMark = Math.max(64 * 1024, (opts.size ?? 64 * 2 ** 20) - sink.offset + 64 * 1024);
      const res = await request(t.url, { dispatcher: agent(), headers, highWaterMark });
      if (res.statusCode === 416 && sink.offset > 0 && sink.offset === opts.size) {
        await res.body.dump();
        return;
      }
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        await res.body.dump();
        if (retryable(res.statusCode)) throw transientStatus(res.statusCode);
        throw httpError(t, res.statusCode);
      }
      if (res.statusCode === 206 && !String(res.headers['content-range'] ?? '').startsWith(`bytes ${sink.offset}-`)) {
        await res.body.dump();
        throw err(
          'E_HTTP_RANGE',
          `${t.shown} answered a resume request with the wrong range`,
          'remove the partial file under downloads/ and try again',
        );
      }
      await pump(res.body as AsyncIterable<Buffer>, res.statusCode === 200 ? sink.offset : 0, sink, opts, t.shown);
      if (opts.size !== undefined && sink.offset < opts.size)
        throw new Error(`connection closed after ${sink.offset} of ${opts.size} bytes`);
    },
    () => sink.offset,
    opts.attempts,
  );
}

async function pump(
  body: AsyncIterable<Buffer>,
  skip: number,
  sink: DownloadSink,
  opts: DownloadOptions,
  shown: string,
): Promise<void> {
  for await (let chunk of body) {
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      skip -= n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) continue;
    }
    if (opts.size !== undefined && sink.offset + chunk.length > opts.size)
      throw err(
        'E_TOO_LARGE',
        `${shown} sent more bytes than the index says (${opts.size})`,
        'the mirror serves a different file; use another mirror',
      );
    await sink.write(chunk);
    sink.offset += chunk.length;
    opts.onProgress?.(sink.offset);
  }
}

/** A file in a local mirror directory: no retries, and a size that differs from the index is refused up front. */
async function copyFile(url: string, sink: DownloadSink, opts: DownloadOptions): Promise<void> {
  const path = fileURLToPath(url);
  const st = await stat(path).catch((e) => {
    throw fileError(url, e);
  });
  if (st.isDirectory()) throw fileError(url, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (opts.size !== undefined && st.size !== opts.size)
    throw err(
      'E_SIZE',
      `${url} has ${st.size} bytes; the index says ${opts.size}`,
      'it is not the file the index lists (truncated or replaced); sync the mirror directory again',
    );
  if (sink.offset >= st.size) return;
  try {
    await pump(createReadStream(path, { start: sink.offset }) as AsyncIterable<Buffer>, 0, sink, opts, url);
  } catch (e) {
    throw e instanceof GoarmError ? e : fileError(url, e);
  }
}
