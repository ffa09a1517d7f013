import type { GeminiResponsePart } from '../../../gemini/response-schema.ts';
import { generateId } from '../../../translate/generate-id.ts';
import type { ToolCall } from '../schema/openai-types.ts';

export type ConvertedPart =
  | { kind: 'content'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; call: ToolCall };

/**
 * One Gemini response part → what it becomes in an OpenAI message; undefined when it has no OpenAI
 * form (empty text, thoughts the client did not ask for, code-execution parts).
 * A generated image becomes a markdown data-URL image in the content, because chat completions
 * have no image output and dropping it would silently lose the answer.
 */
export function convertResponsePart(
  part: GeminiResponsePart,
  includeThoughts: boolean,
): ConvertedPart | undefined {
  if (part.functionCall !== null && part.functionCall !== undefined) {
    return { kind: 'tool_call', call: toToolCall(part.functionCall, part.thoughtSignature) };
  }
  if (typeof part.text === 'string' && part.text !== '') {
    if (part.thought === true) return includeThoughts ? { kind: 'reasoning', text: part.text } : undefined;
    return { kind: 'content', text: part.text };
  }
  const inline = part.inlineData;
  if (inline?.mimeType.startsWith('image/') === true && part.thought !== true) {
    return { kind: 'content', text: `![image](data:${inline.mimeType};base64,${inline.data})` };
  }
  return undefined;
}

function toToolCall(
  functionCall: {
    id?: string | null | undefined;
    name: string;
    args?: Record<string, unknown> | null | undefined;
  },
  signature: string | null | undefined,
): ToolCall {
  const call: ToolCall = {
    // Gemini usually sends no id; clients need one to match their tool results.
    id:
      functionCall.id !== null && functionCall.id !== undefined && functionCall.id !== ''
        ? functionCall.id
        : generateId('call_'),
    type: 'function',
    function: { name: functionCall.name, arguments: JSON.stringify(functionCall.args ?? {}) },
  };
  // Gemini 3 rejects the next turn without this signature; clients echo extra_content back with the call.
  if (typeof signature === 'string' && signature !== '')
    call.extra_content = { google: { thought_signature: signature } };
  return call;
}
