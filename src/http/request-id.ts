import { randomBytes } from 'node:crypto';

/** Request ids for log lines: random per process, then counted (a UUID per request was 0.6 % of a pass-through's profile). */
const requestIdPrefix = randomBytes(6).toString('base64url');
let requestCount = 0;
export function nextRequestId(): string {
  requestCount += 1;
  return `${requestIdPrefix}-${requestCount.toString(36)}`;
}
