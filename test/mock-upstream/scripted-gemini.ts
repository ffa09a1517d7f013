import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { fixtureBytes } from './fixtures.ts';
import type { Override, ReceivedRequest } from './mock-gemini.ts';

/** One part of a scripted answer: a thought, text, or a function call (args as JSON). */
export type ScriptedPart =
  | { thought: string }
  | { text: string }
  | { call: string; args?: Record<string, unknown> };

/** A scripted answer: parts (streamed one per event), or a recorded fixture served whole. */
export type ScriptedAnswer = { parts: ScriptedPart[]; finishReason?: string } | { fixture: string };

const json = 'application/json; charset=UTF-8';

/**
 * Gemini 3 as the Responses tool loops meet it: answers come from a script (one per generate call,
 * in order), and every function call and text answer carries a thought signature the mock mints.
 * The missing-signature 400 is the mock's own Gemini 3 rule (`gemini3-rules.ts`, applied to every
 * request); on top of it a signature the mock never minted is refused as corrupted, so a test sees
 * the very signature Gemini gave come back. Google's documented bypass value is accepted.
 * Plug in as `mock.override`.
 */
export class ScriptedGemini {
  readonly minted = new Set<string>();
  /** Bodies of the generate calls served from the script, in order. */
  readonly bodies: GeminiRequestBody[] = [];
  #script: ScriptedAnswer[] = [];

  script(...answers: ScriptedAnswer[]): void {
    this.#script.push(...answers);
  }

  get remaining(): number {
    return this.#script.length;
  }

  readonly override: Override = (request, response) => {
    const match = /\/models\/([^/:]+):(generateContent|streamGenerateContent)/.exec(request.url);
    if (match === null || this.#script.length === 0) return false;
    const body = JSON.parse(request.body.toString('utf8')) as GeminiRequestBody;
    this.bodies.push(body);
    const refusal = /gemini-3/.test(match[1] ?? '') ? this.#checkSignatures(body) : undefined;
    if (refusal !== undefined) return send(response, 400, refusal);
    const answer = this.#script.shift();
    if (answer === undefined) return false;
    const stream = match[2] === 'streamGenerateContent';
    if ('fixture' in answer) return serveFixture(response, answer.fixture, stream);
    const chunks = this.#chunks(answer, match[1] ?? 'gemini');
    if (!stream) return send(response, 200, JSON.stringify(merge(chunks)));
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join(''));
    return true;
  };

  /** A signature the mock never minted (another key, project or model, or made up) is "corrupted". */
  #checkSignatures(body: GeminiRequestBody): string | undefined {
    for (const content of body.contents ?? []) {
      for (const part of content.parts ?? []) {
        const signature = part.thoughtSignature;
        if (signature !== undefined && signature !== bypass && !this.minted.has(signature))
          return errorBody('Corrupted thought signature.');
      }
    }
    return undefined;
  }

  #chunks(answer: { parts: ScriptedPart[]; finishReason?: string }, model: string): GeminiChunk[] {
    const signature = () => {
      const minted = `mock-signature-${randomBytes(12).toString('base64')}`;
      this.minted.add(minted);
      return minted;
    };
    let signedCall = false;
    const parts = answer.parts.map((part): Record<string, unknown> => {
      if ('thought' in part) return { text: part.thought, thought: true };
      if ('text' in part) return { text: part.text };
      // Gemini 3 signs the first function call of a step; parallel calls after it carry none.
      const signed = !signedCall;
      signedCall = true;
      const call = { functionCall: { name: part.call, args: part.args ?? {} } };
      return signed ? { ...call, thoughtSignature: signature() } : call;
    });
    // A text answer's signature comes on its last part.
    const last = parts.at(-1);
    if (!signedCall && last !== undefined && typeof last.text === 'string' && last.thought !== true)
      last.thoughtSignature = signature();
    const usageMetadata = {
      promptTokenCount: 21,
      candidatesTokenCount: 9,
      thoughtsTokenCount: 30,
      totalTokenCount: 60,
    };
    return parts.map((part, index) => ({
      candidates: [
        {
          content: { parts: [part], role: 'model' },
          index: 0,
          ...(index === parts.length - 1 ? { finishReason: answer.finishReason ?? 'STOP' } : {}),
        },
      ],
      usageMetadata,
      modelVersion: model,
      responseId: 'mock-scripted',
    }));
  }
}

export const bypass = 'skip_thought_signature_validator';

export type GeminiRequestBody = {
  contents?: Array<{ role?: string; parts?: Array<GeminiRequestPart> }>;
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<Record<string, unknown>>;
  toolConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
};

export type GeminiRequestPart = {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
};

type GeminiChunk = {
  candidates: Array<
    { content: { parts: Array<Record<string, unknown>>; role: string } } & Record<string, unknown>
  >;
} & Record<string, unknown>;

/** A unary answer is the stream's chunks in one: all parts, the last chunk's finish reason and usage. */
function merge(chunks: GeminiChunk[]): GeminiChunk {
  const last = chunks.at(-1);
  const parts = chunks.flatMap((chunk) => chunk.candidates[0]?.content.parts ?? []);
  const candidate = { ...last?.candidates[0], content: { parts, role: 'model' } };
  return { ...last, candidates: [candidate] };
}

function errorBody(message: string): string {
  return JSON.stringify({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }, null, 2);
}

function send(response: ServerResponse, status: number, body: string): true {
  response.writeHead(status, { 'content-type': json });
  response.end(body);
  return true;
}

/** A recorded unary answer; streamed, it is one event holding the whole answer. */
function serveFixture(response: ServerResponse, name: string, stream: boolean): true {
  const bytes = fixtureBytes(name);
  if (!stream) return send(response, 200, bytes.toString('utf8'));
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(`data: ${JSON.stringify(JSON.parse(bytes.toString('utf8')))}\r\n\r\n`);
  return true;
}

export type { ReceivedRequest };
