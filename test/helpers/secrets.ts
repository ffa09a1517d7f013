/**
 * Synthetic secrets used across the suite. They have the shape of real ones so that a leak would
 * look like a real leak; the global teardown checks none of them ever reached logs/app.log.
 */
export const poolKeys = [
  'AIzaSyTESTpoolKEY0000000000000000000001',
  'AIzaSyTESTpoolKEY0000000000000000000002',
  'AIzaSyTESTpoolKEY0000000000000000000003',
] as const;

/** Keys with a personality, for the pool tests (test/mock-upstream/key-behaviours.ts). */
export const behaviourKeys = {
  dead: 'AIzaSyTESTdeadKEY00000000000000000000001',
  minuteQuota: 'AIzaSyTESTminuteQUOTA000000000000000001',
  dayQuota: 'AIzaSyTESTdayQUOTA000000000000000000001',
  flaky: 'AIzaSyTESTflakyKEY0000000000000000000001',
  slow: 'AIzaSyTESTslowKEY00000000000000000000001',
  healthyA: 'AIzaSyTESThealthyA0000000000000000000001',
  healthyB: 'AIzaSyTESThealthyB0000000000000000000001',
  healthyC: 'AIzaSyTESThealthyC0000000000000000000001',
} as const;

export const clientToken = 'gb-client-token-3f9a7c1e5d';
export const otherClientToken = 'gb-client-token-second-88b2';
export const adminToken = 'gb-admin-token-5e1d0c';
/** A token nobody configured: what a client sends by mistake must not reach the log either. */
export const wrongToken = 'gb-wrong-token-7d41aa90';

export const allSecrets: readonly string[] = [
  ...poolKeys,
  ...Object.values(behaviourKeys),
  clientToken,
  otherClientToken,
  adminToken,
  wrongToken,
];

/** Where every service started by the tests writes its log, as the contract says. */
export const testLogFile = 'logs/app.log';
