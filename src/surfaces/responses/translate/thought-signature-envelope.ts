import { z } from 'zod';
import { parseJsonOrUndefined } from '../../../json/lenient-json.ts';

/** A thought signature of one model turn: on a function call (by its call_id) or on the text answer. */
export interface CarriedSignature {
  callId?: string;
  signature: string;
}

const prefix = 'gbsig1.';

const envelopeSchema = z.object({
  model: z.string(),
  signatures: z.array(z.object({ callId: z.string().optional(), signature: z.string().min(1) })),
});

/**
 * The `encrypted_content` of a reasoning item: the turn's Gemini thought signatures (themselves
 * opaque, encrypted by Google) with the call ids they belong to and the model that minted them.
 * Clients hand it back unread (Codex does with `store: false`), so Gemini 3 tool loops keep working.
 */
export function encodeSignatures(model: string, signatures: CarriedSignature[]): string {
  const json = JSON.stringify({ model: baseModel(model), signatures });
  return `${prefix}${Buffer.from(json, 'utf8').toString('base64url')}`;
}

/**
 * The signatures an `encrypted_content` carries, for `model`. Signatures minted by another model
 * are dropped (Gemini refuses them as invalid); text that is not ours yields none.
 */
export function decodeSignatures(content: string | null | undefined, model: string): CarriedSignature[] {
  if (typeof content !== 'string' || !content.startsWith(prefix)) return [];
  const json = Buffer.from(content.slice(prefix.length), 'base64url').toString('utf8');
  const parsed = envelopeSchema.safeParse(parseJsonOrUndefined(json));
  if (!parsed.success || parsed.data.model !== baseModel(model)) return [];
  return parsed.data.signatures.map((entry) =>
    entry.callId === undefined
      ? { signature: entry.signature }
      : { callId: entry.callId, signature: entry.signature },
  );
}

function baseModel(model: string): string {
  return model.replace(/^models\//, '');
}
