/**
 * Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. For state that travels
 * between processes (Redis pub/sub, cluster IPC): the test waits for the change, then asserts on
 * what follows, so no assertion depends on timing.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
