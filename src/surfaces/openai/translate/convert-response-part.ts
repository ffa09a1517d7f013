import type { GeminiResponsePart } from '../../../gemini/response-schema.ts';
import { generateId } from '../../../translate/generate-id.ts';
import type { ImageOutput, ToolCall } from '../schema/openai-types.ts';

export type ConvertedPart =
  | { kind: 'content'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; call: ToolCall }
  | { kind: 'image'; image: ImageOutput }
  | { kind: 'audio'; mimeType: string; data: string };

/**
 * One Gemini response part → what it becomes in an OpenAI message; undefined when it has no OpenAI
 * form (empty text, thoughts the client did not ask for).
 * A generated image becomes an image part (`message.images`), never megabytes of markdown in
 * `content`; audio is collected into `message.audio`. Code execution (the code Gemini ran and its
 * output) comes back as fenced text in the content, where every client shows it.
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
  if (inline !== null && inline !== undefined && part.thought !== true) {
    if (inline.mimeType.startsWith('image/')) {
      return {
        kind: 'image',
        image: { type: 'image_url', image_url: { url: `data:${inline.mimeType};base64,${inline.data}` } },
      };
    }
    if (inline.mimeType.startsWith('audio/'))
      return { kind: 'audio', mimeType: inline.mimeType, data: inline.data };
  }
  return convertCodeExecution(part);
}

function convertCodeExecution(part: GeminiResponsePart): ConvertedPart | undefined {
  const code = part.executableCode;
  if (typeof code?.code === 'string') {
    const language = (code.language ?? '').toLowerCase().replace('language_unspecified', '');
    return { kind: 'content', text: `\n\`\`\`${language}\n${code.code.replace(/\n$/, '')}\n\`\`\`\n` };
  }
  const result = part.codeExecutionResult;
  if (result !== null && result !== undefined) {
    const failed = result.outcome !== null && result.outcome !== undefined && result.outcome !== 'OUTCOME_OK';
    const output = (result.output ?? '').replace(/\n$/, '');
    return { kind: 'content', text: `\n\`\`\`${failed ? ` ${result.outcome}` : ''}\n${output}\n\`\`\`\n` };
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
