import { errors } from '../../../errors/app-error.ts';
import type { GeminiContent, GeminiPart, JsonObject } from '../../../gemini/types.ts';
import { parseJsonOrUndefined } from '../../../json/lenient-json.ts';
import type { ChatMessage } from '../schema/chat-request-schema.ts';
import type { FetchedImages } from './collect-remote-image-urls.ts';
import { convertUserContent } from './convert-user-content.ts';

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;
type ToolMessage = Extract<ChatMessage, { role: 'tool' }>;

/** Where a client's tool call sits in `contents` (`contents[content].parts[part]`) and its id. */
export type ToolCallPosition = { content: number; part: number; id: string };

export interface ConvertedMessages {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  /** Every assistant tool call, so dropped thought signatures can be looked up by id. */
  toolCalls: ToolCallPosition[];
}

/**
 * OpenAI messages → Gemini `contents` + `systemInstruction`. system/developer messages become the
 * system instruction; assistant → model; consecutive tool results → one user turn of
 * functionResponse parts, the function name recovered from the assistant's matching tool call.
 */
export function convertChatMessages(messages: ChatMessage[], images: FetchedImages): ConvertedMessages {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const toolCalls: ToolCallPosition[] = [];
  let toolTurn: GeminiContent | undefined;
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (message.role !== 'tool') toolTurn = undefined;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textsOf(message.content).map((text) => ({ text })));
        return;
      case 'user':
        contents.push({
          role: 'user',
          parts: convertUserContent(message.content, images, `${param}.content`),
        });
        return;
      case 'assistant': {
        const { parts, callIds } = convertAssistant(message, toolNames, param);
        if (parts.length === 0) return;
        for (const [part, id] of callIds) toolCalls.push({ content: contents.length, part, id });
        contents.push({ role: 'model', parts });
        return;
      }
      case 'tool': {
        const part = convertToolResult(message, toolNames, param);
        if (toolTurn === undefined) {
          toolTurn = { role: 'user', parts: [] };
          contents.push(toolTurn);
        }
        toolTurn.parts.push(part);
      }
    }
  });
  return system.length > 0
    ? { contents, systemInstruction: { parts: system }, toolCalls }
    : { contents, toolCalls };
}

function textsOf(content: string | Array<{ text: string }>): string[] {
  return typeof content === 'string' ? [content] : content.map((part) => part.text);
}

function convertAssistant(
  message: AssistantMessage,
  toolNames: Map<string, string>,
  param: string,
): { parts: GeminiPart[]; callIds: Map<number, string> } {
  const parts: GeminiPart[] = [];
  const callIds = new Map<number, string>();
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ text: content });
  } else if (content !== null && content !== undefined) {
    for (const part of content) if (part.type === 'text' && part.text !== '') parts.push({ text: part.text });
  }
  (message.tool_calls ?? []).forEach((call, index) => {
    toolNames.set(call.id, call.function.name);
    const args = parseArguments(call.function.arguments, `${param}.tool_calls[${index}].function.arguments`);
    const signature = call.extra_content?.google?.thought_signature;
    callIds.set(parts.length, call.id);
    parts.push(
      signature === undefined
        ? { functionCall: { name: call.function.name, args } }
        : { functionCall: { name: call.function.name, args }, thoughtSignature: signature },
    );
  });
  return { parts: withMessageSignature(parts, message.extra_content?.google?.thought_signature), callIds };
}

/** Google's compat endpoint puts a text answer's signature on the message; it belongs on the first part. */
function withMessageSignature(parts: GeminiPart[], signature: string | undefined): GeminiPart[] {
  const first = parts[0];
  if (signature === undefined || first === undefined) return parts;
  if (!('text' in first || 'functionCall' in first) || first.thoughtSignature !== undefined) return parts;
  return [{ ...first, thoughtSignature: signature }, ...parts.slice(1)];
}

function parseArguments(text: string, param: string): JsonObject {
  if (text.trim() === '') return {};
  const parsed = parseJsonOrUndefined(text);
  if (isJsonObject(parsed)) return parsed;
  throw errors.invalidArgument('Tool call arguments must be a JSON object encoded as a string.', param);
}

function convertToolResult(message: ToolMessage, toolNames: Map<string, string>, param: string): GeminiPart {
  const name = toolNames.get(message.tool_call_id);
  if (name === undefined) {
    throw errors.invalidArgument(
      `No earlier assistant tool call has the id '${message.tool_call_id}'.`,
      `${param}.tool_call_id`,
    );
  }
  const text = textsOf(message.content).join('');
  const parsed = parseJsonOrUndefined(text);
  const response: JsonObject = isJsonObject(parsed) ? parsed : { result: text };
  return { functionResponse: { name, response } };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
