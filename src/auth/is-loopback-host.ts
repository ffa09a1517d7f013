import { isIP } from 'node:net';

/** `localhost`, 127.0.0.0/8 and `::1`: addresses only programs on this machine reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
