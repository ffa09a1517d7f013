import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './is-loopback-host.ts';

/** `127.0.0.1:8000`, `[::1]:8000`, `localhost` → the host part. */
function hostOf(value: string): string {
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']'));
  return value.split(':')[0] ?? value;
}

/**
 * Without client tokens the service trusts whoever reaches the loopback address. A web page in
 * the user's browser can reach it too: through its own Origin (cross-site requests) or through a
 * DNS name rebound to 127.0.0.1 (a foreign Host). Both are refused, so loopback-only really means
 * programs on this machine.
 */
export function isLoopbackRequest(headers: IncomingHttpHeaders): boolean {
  const host = headers.host;
  if (host === undefined || !isLoopbackHost(hostOf(host.toLowerCase()))) return false;
  const origin = headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return isLoopbackHost(hostOf(new URL(origin).host.toLowerCase()));
  } catch {
    return false;
  }
}
