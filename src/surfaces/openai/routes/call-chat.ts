import type { FastifyRequest } from 'fastify';
import { callGemini, type GeminiCall } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import type { Dispatcher, DispatchResult } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import type { GeminiContent } from '../../../gemini/types.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import {
  isSignatureRejection,
  missingSignatureCalls,
  restoreSignatures,
  withBypassSignatures,
} from '../../../translate/thought-signatures.ts';
import type { ToolCallPosition } from '../translate/convert-chat-messages.ts';

export type ChatCallDependencies = { dispatcher: Dispatcher; signatures: SignatureStore };

/**
 * The chat call with thought signatures kept whole whatever the client dropped:
 * 1. a tool call sent back without its signature (Vercel `@ai-sdk/openai`, LangChain rebuild the
 *    message and lose `extra_content`) gets it back from the store by tool-call id, or, on Gemini 3,
 *    the documented bypass value;
 * 2. a 400 about a signature (invalid or corrupted: the conversation moved to another model or key)
 *    is retried once with the bypass value on every call. Both attempts show in the record.
 * Answers with the successful (or last) dispatch; throws the upstream error otherwise.
 */
export async function callChat(
  dependencies: ChatCallDependencies,
  request: FastifyRequest,
  call: GeminiCall & { body: object },
  placement: Placement,
): Promise<DispatchResult> {
  const contents = await restoredContents(dependencies.signatures, call.model ?? '', placement);
  const first = await callGemini(
    dependencies.dispatcher,
    { ...call, body: { ...call.body, contents } },
    request.log,
  );
  if (first.status !== 400) {
    handOver(request, first.record);
    return first;
  }
  const error = await readUpstreamError(first);
  if (!isSignatureRejection(first.status, error.message) || !carriesSignatures(contents)) {
    handOver(request, first.record);
    throw error;
  }
  request.log.info(
    { reason: error.message.slice(0, 200) },
    'thought signature refused; retrying once with the bypass value',
  );
  const retry = { ...call, body: { ...call.body, contents: withBypassSignatures(contents) } };
  const second = await callGemini(dependencies.dispatcher, retry, request.log);
  second.record.attempts.unshift(...first.record.attempts);
  handOver(request, second.record);
  return second;
}

/** The translated history, where its tool calls are, and whose signatures to look up. */
type Placement = { contents: GeminiContent[]; toolCalls: readonly ToolCallPosition[]; owner: string };

async function restoredContents(
  store: SignatureStore,
  model: string,
  placement: Placement,
): Promise<GeminiContent[]> {
  const contents = placement.contents;
  if (placement.toolCalls.length === 0) return contents;
  const ids = new Map(
    placement.toolCalls.map((position) => [`${position.content}:${position.part}`, position.id]),
  );
  const missing = missingSignatureCalls(contents, (content, part) => ids.get(`${content}:${part}`));
  if (missing.length === 0) return contents;
  const found = await store.recall(
    placement.owner,
    missing.map((position) => position.id),
    Date.now(),
  );
  return restoreSignatures(contents, missing, found, model);
}

/** Whether a retry with the bypass value would change anything: a call or a signed part in a model turn. */
function carriesSignatures(contents: readonly GeminiContent[]): boolean {
  return contents.some(
    (content) =>
      content.role === 'model' &&
      content.parts.some((part) => 'functionCall' in part || 'thoughtSignature' in part),
  );
}
