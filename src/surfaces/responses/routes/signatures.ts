import type { FastifyBaseLogger } from 'fastify';
import type { SignatureStore } from '../../../store/signature-store.ts';
import { type CallPosition, restoreSignatures } from '../../../translate/thought-signatures.ts';
import type { GeminiRequestBody } from '../translate/convert-request.ts';

/**
 * Function calls that came back without their signature (a client that drops reasoning items) get
 * it from the shared signature store, by call_id, else on Gemini 3 the documented bypass value.
 */
export async function withRestoredSignatures(
  body: GeminiRequestBody,
  unsigned: readonly CallPosition[],
  options: { model: string; store: SignatureStore; owner: string },
): Promise<GeminiRequestBody> {
  if (unsigned.length === 0) return body;
  const ids = unsigned.map((call) => call.id);
  const found = await options.store.recall(options.owner, ids, Date.now());
  return { ...body, contents: restoreSignatures(body.contents, unsigned, found, options.model) };
}

/** Remembers the signatures of the calls just answered, off the answer's path; a failure is logged. */
export function rememberSignatures(
  store: SignatureStore,
  owner: string,
  entries: ReadonlyArray<{ id: string; signature: string }>,
  log: FastifyBaseLogger,
): void {
  if (entries.length === 0) return;
  store
    .remember(owner, entries, Date.now())
    .catch((error: unknown) => log.warn({ err: error }, 'thought signatures not remembered'));
}
