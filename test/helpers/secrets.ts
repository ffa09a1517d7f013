import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Synthetic secrets used across the suite, as long as real keys but deliberately not shaped like
 * Google's (`AIza…`), so no secret scanner mistakes them for leaked keys and the log scrubber's
 * key-shape rule cannot hide a leak; the global teardown checks none of them reached the test log.
 */
export const poolKeys = [
  'gbTESTkey-poolKEY0000000000000000000001',
  'gbTESTkey-poolKEY0000000000000000000002',
  'gbTESTkey-poolKEY0000000000000000000003',
] as const;

/** Keys with a personality, for the pool tests (test/mock-upstream/key-behaviours.ts). */
export const behaviourKeys = {
  dead: 'gbTESTkey-deadKEY00000000000000000000001',
  minuteQuota: 'gbTESTkey-minuteQUOTA000000000000000001',
  dayQuota: 'gbTESTkey-dayQUOTA000000000000000000001',
  flaky: 'gbTESTkey-flakyKEY0000000000000000000001',
  slow: 'gbTESTkey-slowKEY00000000000000000000001',
  healthyA: 'gbTESTkey-healthyA0000000000000000000001',
  healthyB: 'gbTESTkey-healthyB0000000000000000000001',
  healthyC: 'gbTESTkey-healthyC0000000000000000000001',
} as const;

/** A key the dashboard test adds at runtime. */
export const addedKey = 'gbTESTkey-addedKEY0000000000000000000001';

/** A key only the pool-event log test uses, so its log lines are its own. */
export const eventKey = 'gbTESTkey-eventsKEY000000000000000000001';

export const clientToken = 'gb-client-token-3f9a7c1e5d';
export const otherClientToken = 'gb-client-token-second-88b2';
export const adminToken = 'gb-admin-token-5e1d0c';
/** A token nobody configured: what a client sends by mistake must not reach the log either. */
export const wrongToken = 'gb-wrong-token-7d41aa90';

export const allSecrets: readonly string[] = [
  ...poolKeys,
  ...Object.values(behaviourKeys),
  eventKey,
  addedKey,
  clientToken,
  otherClientToken,
  adminToken,
  wrongToken,
];

/**
 * Where every service started by the tests writes its log: the run's own file, set by the global
 * setup (test/global-setup.ts), never the checkout's logs/app.log. A test file run on its own,
 * without the global setup, logs under the temporary folder instead.
 */
export const testLogFile =
  process.env.GEMINI_BALANCE_TEST_LOG ?? join(tmpdir(), 'gemini-balance-tests', 'app.log');
