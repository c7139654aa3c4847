// URL helpers with no network code, so that readers of the cached index need not load undici (src/install/http.ts).
import { redact } from '../core/errors.js';

/** The URL without userinfo: what messages, logs and cache keys may show. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return redact(url);
  }
}

export const isFileUrl = (url: string) => url.startsWith('file:');
