/**
 * A module imported at its first call, once (later calls get the same promise). Fastify needs every
 * route at start, not its code: the handlers of the translating surfaces (their translation and zod
 * schemas: ~2 MiB of heap, ~3 MiB of idle RSS) load with their first request, so a pass-through
 * never carries them.
 */
export function loadOnFirstCall<Module>(load: () => Promise<Module>): () => Promise<Module> {
  let loading: Promise<Module> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}
