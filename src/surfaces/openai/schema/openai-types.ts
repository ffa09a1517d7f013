/** The OpenAI response shapes we emit (chat.completion, chat.completion.chunk, usage, errors). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  /** Google's own OpenAI-compatible endpoint carries the Gemini thought signature here. */
  extra_content?: { google: { thought_signature: string } };
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** A web source behind part of the answer (Google Search grounding); indices are UTF-16 offsets in `content`. */
export interface UrlCitation {
  type: 'url_citation';
  url_citation: { url: string; title: string; start_index: number; end_index: number };
}

/** A generated image as a content part (OpenRouter's `images` field, read by common chat front ends). */
export interface ImageOutput {
  type: 'image_url';
  image_url: { url: string };
}

export interface AudioOutput {
  id: string;
  data: string;
  expires_at: number;
  transcript: string;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

export interface ChoiceLogprobs {
  content: TokenLogprob[];
  refusal: null;
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  tool_calls?: ToolCall[];
  annotations?: UrlCitation[];
  images?: ImageOutput[];
  audio?: AudioOutput;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatCompletionMessage;
    logprobs: ChoiceLogprobs | null;
    finish_reason: FinishReason;
  }>;
  usage?: ChatUsage;
  service_tier?: string;
}

export interface ChunkToolCall extends ToolCall {
  index: number;
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: null;
  reasoning_content?: string;
  tool_calls?: ChunkToolCall[];
  annotations?: UrlCitation[];
  images?: ImageOutput[];
  audio?: Partial<AudioOutput>;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    logprobs: ChoiceLogprobs | null;
    finish_reason: FinishReason | null;
  }>;
  usage?: ChatUsage | null;
  service_tier?: string;
}

export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}
