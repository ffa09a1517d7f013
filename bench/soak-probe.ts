/**
 * Loaded into the service process by `npm run soak` (`node --import`): every SOAK_SAMPLE_MS it
 * collects garbage (the soak starts Node with --expose-gc, so heap figures are live objects, not
 * garbage not yet collected) and reports memory and open handles to the parent over IPC.
 */
const intervalMs = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const sample = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const memory = process.memoryUsage();
  process.send?.({
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    handles: process.getActiveResourcesInfo().length,
  });
};
setInterval(sample, intervalMs).unref();
setTimeout(sample, 1000).unref();
