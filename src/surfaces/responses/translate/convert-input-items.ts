import { errors } from '../../../errors/app-error.ts';
import type { GeminiContent, GeminiPart, JsonObject } from '../../../gemini/types.ts';
import { isRecord, parseJsonOrUndefined } from '../../../json/lenient-json.ts';
import { type CallPosition, missingSignatureCalls } from '../../../translate/thought-signatures.ts';
import type { FunctionCallItem, FunctionCallOutputItem, InputItem } from '../schema/input-item-schema.ts';
import type { FetchedImages } from './convert-content-part.ts';
import { convertContentPart } from './convert-content-part.ts';
import { decodeSignatures } from './thought-signature-envelope.ts';

export interface ConvertedInput {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  /** First function calls of model turns that came back without a signature, by call_id. */
  unsigned: CallPosition[];
}

/** A resolved input item (references already replaced) with where it came from, for error params. */
export type PlacedItem = { item: InputItem; param: string };

/**
 * The conversation as Responses items → Gemini `contents` + `systemInstruction`. System and developer
 * messages become the system instruction; assistant messages, function calls and reasoning items in
 * a row make one model turn; user messages and function call outputs one user turn. Thought
 * signatures come back from reasoning items' `encrypted_content` onto the parts they were minted on;
 * calls still without one are listed in `unsigned`, for the signature store or the bypass value
 * (`restoreSignatures` of src/translate/thought-signatures.ts).
 */
export function convertInputItems(items: PlacedItem[], model: string, images: FetchedImages): ConvertedInput {
  const { callSignatures } = collectSignatures(items, model);
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const names = new Map<string, string>();
  const turn = (role: 'user' | 'model'): GeminiContent => {
    const last = contents.at(-1);
    if (last?.role === role) return last;
    const created: GeminiContent = { role, parts: [] };
    contents.push(created);
    return created;
  };
  const textSignatures = new Map<GeminiContent, string>();
  const callIds = new Map<GeminiPart, string>();
  for (const { item, param } of items) {
    switch (item.kind) {
      case 'message': {
        const parts = messageParts(item.content, images, `${param}.content`);
        if (item.role === 'system' || item.role === 'developer') {
          for (const part of parts) if ('text' in part) system.push({ text: part.text });
        } else if (parts.length > 0) turn(item.role === 'assistant' ? 'model' : 'user').parts.push(...parts);
        break;
      }
      case 'function_call': {
        names.set(item.call_id, item.name);
        const part = functionCallPart(item, callSignatures.get(item.call_id), param);
        callIds.set(part, item.call_id);
        turn('model').parts.push(part);
        break;
      }
      case 'function_call_output':
        turn('user').parts.push(...functionResponseParts(item, names, images, param));
        break;
      case 'image_generation_call':
        turn('model').parts.push({
          inlineData: { mimeType: `image/${item.output_format ?? 'png'}`, data: item.result },
        });
        break;
      case 'reasoning': {
        const text = decodeSignatures(item.encrypted_content, model).find((entry) => !entry.callId);
        if (text !== undefined) textSignatures.set(turn('model'), text.signature);
        break;
      }
      default:
        break;
    }
  }
  const cleaned = contents.filter((content) => content.parts.length > 0);
  for (const content of cleaned) placeTextSignature(content, textSignatures.get(content));
  const unsigned = missingSignatureCalls(cleaned, (content, part) => {
    const found = cleaned[content]?.parts[part];
    return found === undefined ? undefined : callIds.get(found);
  });
  return system.length > 0
    ? { contents: cleaned, systemInstruction: { parts: system }, unsigned }
    : { contents: cleaned, unsigned };
}

function collectSignatures(items: PlacedItem[], model: string): { callSignatures: Map<string, string> } {
  const callSignatures = new Map<string, string>();
  for (const { item } of items) {
    if (item.kind !== 'reasoning') continue;
    for (const entry of decodeSignatures(item.encrypted_content, model))
      if (entry.callId !== undefined) callSignatures.set(entry.callId, entry.signature);
  }
  return { callSignatures };
}

function messageParts(
  content: Extract<InputItem, { kind: 'message' }>['content'],
  images: FetchedImages,
  param: string,
): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.map((part, index) => convertContentPart(part, images, `${param}[${index}]`));
}

function functionCallPart(item: FunctionCallItem, signature: string | undefined, param: string): GeminiPart {
  const args = parseArguments(item.arguments, `${param}.arguments`);
  const functionCall = { name: item.name, args };
  return signature === undefined ? { functionCall } : { functionCall, thoughtSignature: signature };
}

function functionResponseParts(
  item: FunctionCallOutputItem,
  names: Map<string, string>,
  images: FetchedImages,
  param: string,
): GeminiPart[] {
  const name = names.get(item.call_id);
  if (name === undefined) {
    throw errors.invalidArgument(
      `No function_call item before this output has the call_id '${item.call_id}'.`,
      `${param}.call_id`,
    );
  }
  const parts = typeof item.output === 'string' ? [] : item.output;
  const text =
    typeof item.output === 'string'
      ? item.output
      : parts.map((part) => (part.type === 'input_text' ? part.text : '')).join('');
  const parsed = parseJsonOrUndefined(text);
  const response: JsonObject =
    isRecord(parsed) && !Array.isArray(parsed) ? (parsed as JsonObject) : { result: text };
  const media = parts
    .map((part, index) => ({ part, index }))
    .filter(({ part }) => part.type !== 'input_text')
    .map(({ part, index }) => convertContentPart(part, images, `${param}.output[${index}]`));
  return [{ functionResponse: { name, response } }, ...media];
}

function parseArguments(text: string, param: string): JsonObject {
  if (text.trim() === '') return {};
  const parsed = parseJsonOrUndefined(text);
  if (isRecord(parsed) && !Array.isArray(parsed)) return parsed as JsonObject;
  throw errors.invalidArgument('Function call arguments must be a JSON object encoded as a string.', param);
}

/** Gemini puts a text answer's signature on its last part; it goes back there. */
function placeTextSignature(content: GeminiContent, signature: string | undefined): void {
  if (signature === undefined || content.role !== 'model') return;
  for (let index = content.parts.length - 1; index >= 0; index--) {
    const part = content.parts[index];
    if (part !== undefined && 'text' in part) {
      if (part.thoughtSignature === undefined)
        content.parts[index] = { ...part, thoughtSignature: signature };
      return;
    }
  }
}
