import { randomBytes } from 'node:crypto';

/** Request ids for log lines: random per process, then counted (a UUID per request cost 1 % of a pass-through). */
const requestIdPrefix = randomBytes(6).toString('base64url');
let requestCount = 0;
export function nextRequestId(): string {
  requestCount += 1;
  return `${requestIdPrefix}-${requestCount.toString(36)}`;
}
