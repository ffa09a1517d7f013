import type { GeminiContent, GeminiPart } from '../../../gemini/types.ts';
import type { AnthropicMessage, MessageRequest } from '../schema/message-request-schema.ts';
import { convertBlock, type FetchedImages } from './convert-content.ts';

export type ConvertedMessages = {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  /** The client's tool-use id of each `functionCall` part (by identity), for signature restoring. */
  callIds: ReadonlyMap<GeminiPart, string>;
};

/**
 * Anthropic messages → Gemini `contents` and `systemInstruction`. assistant → model; a thinking
 * block's signature goes onto the part that follows it (the `functionCall` or text Gemini signed),
 * or onto the last text part when nothing follows; consecutive turns of one role are merged and
 * turns left empty dropped, as Gemini requires.
 */
export function convertMessages(
  messages: readonly AnthropicMessage[],
  system: MessageRequest['system'],
  images: FetchedImages,
): ConvertedMessages {
  const contents: GeminiContent[] = [];
  const systemTurns: string[] = [];
  const callIds = new Map<GeminiPart, string>();
  const toolNames = new Map<string, string>();
  messages.forEach((message, messageIndex) => {
    if (message.role === 'system') {
      systemTurns.push(...systemTexts(message.content));
      return;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const blocks =
      typeof message.content === 'string'
        ? [{ type: 'text' as const, text: message.content }]
        : message.content;
    const parts: GeminiPart[] = [];
    let pending: string | undefined;
    blocks.forEach((block, blockIndex) => {
      const path = `messages.${messageIndex}.content.${blockIndex}`;
      const converted = convertBlock(block, { images, toolNames, path });
      if (converted.kind === 'signature') {
        pending = converted.signature;
        return;
      }
      const produced = converted.kind === 'tool_use' ? [converted.part] : converted.parts;
      if (converted.kind === 'tool_use' && 'functionCall' in converted.part) {
        toolNames.set(converted.id, converted.part.functionCall.name);
        callIds.set(converted.part, converted.id);
      }
      const first = produced[0];
      if (pending !== undefined && first !== undefined && role === 'model' && isSignable(first)) {
        const signed = { ...first, thoughtSignature: pending };
        const id = callIds.get(first);
        if (id !== undefined) callIds.set(signed, id);
        produced[0] = signed;
        pending = undefined;
      }
      parts.push(...produced);
    });
    if (pending !== undefined && role === 'model') signLastText(parts, pending);
    appendTurn(contents, role, parts);
  });
  const systemParts = [...systemTexts(system), ...systemTurns]
    .filter((text) => text !== '')
    .map((text) => ({ text }));
  return systemParts.length > 0
    ? { contents, systemInstruction: { parts: systemParts }, callIds }
    : { contents, callIds };
}

function isSignable(part: GeminiPart): boolean {
  return ('functionCall' in part || 'text' in part) && part.thoughtSignature === undefined;
}

/** A text answer's signature came last (Gemini streams it on a trailing part): it goes on the last text. */
function signLastText(parts: GeminiPart[], signature: string): void {
  for (let index = parts.length - 1; index >= 0; index--) {
    const part = parts[index];
    if (part !== undefined && 'text' in part && part.thoughtSignature === undefined) {
      parts[index] = { ...part, thoughtSignature: signature };
      return;
    }
  }
}

function appendTurn(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/** The texts of a system prompt or a system turn (string or text blocks; other blocks ignored). */
function systemTexts(system: string | ReadonlyArray<{ type: string }> | undefined): string[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return [system];
  return system.flatMap((block) =>
    block.type === 'text' && 'text' in block && typeof block.text === 'string' ? [block.text] : [],
  );
}
