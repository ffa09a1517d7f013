import { errors } from '../../../errors/app-error.ts';
import type { GeminiPart, JsonObject } from '../../../gemini/types.ts';
import { isGeminiReadableUrl } from '../../../media/is-gemini-readable-url.ts';
import type { ContentBlock, DocumentSource, ImageSource } from '../schema/message-request-schema.ts';

/** An image the route fetched before translation (Gemini cannot read arbitrary URLs itself). */
export type FetchedImages = ReadonlyMap<string, { mimeType: string; data: string }>;

const filesApiBase = 'https://generativelanguage.googleapis.com/v1beta/';

/** What one Anthropic block becomes: Gemini parts, possibly none (empty text, unknown blocks). */
export type ConvertedBlock =
  | { kind: 'parts'; parts: GeminiPart[] }
  | { kind: 'tool_use'; id: string; part: GeminiPart }
  | { kind: 'signature'; signature: string };

export type BlockContext = {
  images: FetchedImages;
  /** Tool-use id → function name, from the assistant turns seen so far. */
  toolNames: ReadonlyMap<string, string>;
  /** `messages.3.content.1`, for error messages. */
  path: string;
};

export function convertBlock(block: ContentBlock, context: BlockContext): ConvertedBlock {
  switch (block.type) {
    case 'text':
      // Gemini refuses a part without data ("required oneof field 'data'"): empty text is skipped.
      return { kind: 'parts', parts: block.text === '' ? [] : [{ text: block.text }] };
    case 'image':
      return { kind: 'parts', parts: [convertImage(block.source, context, `${context.path}.source`)] };
    case 'document':
      return { kind: 'parts', parts: [convertDocument(block.source, context, `${context.path}.source`)] };
    case 'thinking':
      // Thought text is not sent back (Gemini keeps its own reasoning); the signature is.
      return block.signature
        ? { kind: 'signature', signature: block.signature }
        : { kind: 'parts', parts: [] };
    case 'tool_use':
      return {
        kind: 'tool_use',
        id: block.id,
        part: { functionCall: { name: block.name, args: block.input as JsonObject } },
      };
    case 'tool_result':
      return { kind: 'parts', parts: convertToolResult(block, context) };
    default:
      return { kind: 'parts', parts: [] };
  }
}

type ToolResult = Extract<ContentBlock, { type: 'tool_result' }>;

/**
 * A tool result → a `functionResponse` (`{output}` or, with `is_error`, `{error}`, as Gemini's docs
 * name them) followed by the result's images and documents as inline parts of the same turn.
 */
function convertToolResult(block: ToolResult, context: BlockContext): GeminiPart[] {
  const name = context.toolNames.get(block.tool_use_id);
  if (name === undefined) {
    throw errors.invalidArgument(
      `${context.path}.tool_use_id: no earlier tool_use block has the id '${block.tool_use_id}'.`,
      `${context.path}.tool_use_id`,
    );
  }
  const content =
    typeof block.content === 'string'
      ? [{ type: 'text' as const, text: block.content }]
      : (block.content ?? []);
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  content.forEach((item, index) => {
    const path = `${context.path}.content.${index}.source`;
    if (item.type === 'text') texts.push(item.text);
    else if (item.type === 'image') media.push(convertImage(item.source, context, path));
    else media.push(convertDocument(item.source, context, path));
  });
  const text = texts.join('\n');
  const response: JsonObject = block.is_error === true ? { error: text } : { output: text };
  return [{ functionResponse: { name, response } }, ...media];
}

function convertImage(source: ImageSource, context: BlockContext, path: string): GeminiPart {
  if (source.type === 'base64') return { inlineData: { mimeType: source.media_type, data: source.data } };
  if (source.type === 'file') return fileReference(source.file_id);
  if (isGeminiReadableUrl(source.url)) return { fileData: { fileUri: source.url } };
  const fetched = context.images.get(source.url);
  if (fetched !== undefined) return { inlineData: fetched };
  throw errors.invalidArgument(`${path}: the image at ${source.url} could not be fetched.`, path);
}

function convertDocument(source: DocumentSource, context: BlockContext, path: string): GeminiPart {
  if (source.type === 'base64') return { inlineData: { mimeType: source.media_type, data: source.data } };
  if (source.type === 'text') return { text: source.data };
  if (source.type === 'file') return fileReference(source.file_id);
  if (isGeminiReadableUrl(source.url))
    return { fileData: { fileUri: source.url, mimeType: 'application/pdf' } };
  const fetched = context.images.get(source.url);
  if (fetched !== undefined) return { inlineData: fetched };
  throw errors.invalidArgument(
    `${path}: documents by URL are not fetched; send the PDF as base64 or upload it to the Files API.`,
    path,
  );
}

/** A Gemini Files API name (`files/abc`) or full URI. */
function fileReference(id: string): GeminiPart {
  if (/^https:\/\//.test(id)) return { fileData: { fileUri: id } };
  return { fileData: { fileUri: `${filesApiBase}${id.startsWith('files/') ? id : `files/${id}`}` } };
}
