import type { FastifyRequest } from 'fastify';
import { credentialOwner } from '../../../auth/credential-owner.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import { restoreSignatures } from '../../../translate/thought-signatures.ts';
import type { ConvertedMessageRequest, GeminiRequestBody } from '../translate/convert-message-request.ts';

/** Whose signatures these are: the client token's fingerprint (one shared owner without tokens). */
export function signatureOwner(request: FastifyRequest): string {
  return credentialOwner(request);
}

/**
 * Tool calls the client sent back without their signature get it from the store (by tool-use id),
 * else, on Gemini 3, the documented bypass value: a dropped signature never fails the request.
 */
export async function withRestoredSignatures(
  converted: ConvertedMessageRequest,
  model: string,
  store: SignatureStore,
  owner: string,
): Promise<GeminiRequestBody> {
  if (converted.unsigned.length === 0) return converted.body;
  const found = await store.recall(
    owner,
    converted.unsigned.map((call) => call.id),
    Date.now(),
  );
  return {
    ...converted.body,
    contents: restoreSignatures(converted.body.contents, converted.unsigned, found, model),
  };
}
