import type { ServerResponse } from 'node:http';
import { fixtureBytes, splitSseEvents } from './fixtures.ts';
import type { Override, ReceivedRequest } from './mock-gemini.ts';

const json = 'application/json; charset=UTF-8';

type Content = { role?: string; parts?: Array<Record<string, unknown>> };

/**
 * Gemini 3's rule, as the real API applies it: in a generateContent request to a `gemini-3…` (or
 * later) model, the first `functionCall` part of every model turn must carry its `thoughtSignature`;
 * otherwise the recorded 400, naming the function and the turn's 1-based position. Answers the
 * request and returns true when it breaks the rule.
 */
export function refuseUnsignedFunctionCall(request: ReceivedRequest, response: ServerResponse): boolean {
  const model = /\/models\/(gemini-(\d+)[^/:?]*):(?:stream)?[gG]enerateContent/.exec(request.url);
  if (model?.[2] === undefined || Number(model[2]) < 3) return false;
  let contents: Content[];
  try {
    contents = ((JSON.parse(request.body.toString('utf8')) as { contents?: Content[] }).contents ??
      []) as Content[];
  } catch {
    return false;
  }
  const position = contents.findIndex((content) => {
    if (content.role !== 'model') return false;
    const call = content.parts?.find((part) => 'functionCall' in part);
    return call !== undefined && typeof call.thoughtSignature !== 'string';
  });
  if (position === -1) return false;
  const call = contents[position]?.parts?.find((part) => 'functionCall' in part)?.functionCall as {
    name?: string;
  };
  const body = fixtureBytes('error-400-missing-thought-signature.json')
    .toString('utf8')
    .replace('default_api:shell', `default_api:${call.name ?? ''}`)
    .replace('position 2.', `position ${position + 1}.`);
  response.writeHead(400, { 'content-type': json });
  response.end(body);
  return true;
}

/** One scripted answer: a recorded fixture for streamed calls and/or for plain calls, optionally edited. */
export type ScriptedAnswer = { sse?: string; unary?: string; edit?: (text: string) => string };

/**
 * An override that answers successive generateContent / streamGenerateContent calls with the given
 * answers in order (a tool call, then the final text…), each from a recorded fixture; other calls
 * (countTokens, models) and calls past the script fall through to the mock's usual replies.
 * `served` counts the answers given.
 */
export function scriptedAnswers(answers: readonly ScriptedAnswer[]): Override & { served: () => number } {
  let next = 0;
  const override = (request: ReceivedRequest, response: ServerResponse): boolean => {
    const streamed = /:streamGenerateContent/.test(request.url);
    if (!streamed && !/:generateContent/.test(request.url)) return false;
    const answer = answers[next];
    const name = streamed ? answer?.sse : answer?.unary;
    if (answer === undefined || name === undefined) return false;
    next++;
    const text = fixtureBytes(name).toString('utf8');
    const bytes = Buffer.from(answer.edit === undefined ? text : answer.edit(text));
    if (!streamed) {
      response.writeHead(200, { 'content-type': json });
      response.end(bytes);
      return true;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of splitSseEvents(bytes)) response.write(piece);
    response.end();
    return true;
  };
  return Object.assign(override, { served: () => next });
}
