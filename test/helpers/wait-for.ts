/**
 * Polls `condition` every `intervalMs` until it holds, for at most `timeoutMs`; returns whether it
 * held, so the caller asserts with its own message. Replaces fixed sleeps: a fast machine moves on
 * at once, a slow one gets the whole bound.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
}
