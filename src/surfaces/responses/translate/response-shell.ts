import type { ResponsesRequest } from '../schema/request-schema.ts';
import type { ResponseObject } from '../schema/response-types.ts';

/**
 * The response object as it starts (`in_progress`, no output): the request's settings echoed back,
 * as OpenAI does, so clients that read them (the SDKs' stream helpers) find what they sent.
 */
export function responseShell(
  request: ResponsesRequest,
  options: { id: string; createdAt: number; store: boolean },
): ResponseObject {
  return {
    id: options.id,
    object: 'response',
    created_at: options.createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: options.store,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.rawTools,
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}
