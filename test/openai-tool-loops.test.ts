import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { type AIMessageChunk, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { bypassSignature } from '../src/translate/thought-signatures.ts';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { type ScriptedAnswer, scriptedAnswers } from './mock-upstream/gemini3-rules.ts';
import type { ReceivedRequest } from './mock-upstream/mock-gemini.ts';

/*
 * Gemini 3 tool loops (thinking on) through the clients people use. The mock applies Gemini 3's
 * rule (every functionCall sent back must carry its thoughtSignature, else the recorded 400) and
 * answers from recorded fixtures: two tool-call steps, then the final text. The raw openai SDK
 * echoes `extra_content`; Vercel `@ai-sdk/openai` `.chat()` and LangChain `ChatOpenAI` rebuild the
 * assistant message without it, so their signatures come back from the server-side store.
 */

const model = 'gemini-3-pro-preview';

function signatureOf(fixture: string): string {
  const match = /"thoughtSignature": *"([^"]+)"/.exec(fixtureBytes(fixture).toString('utf8'));
  assert.ok(match?.[1]);
  return match[1];
}

const plain = {
  script: [
    { unary: 'generate-content-response-thinking-function-call.json' },
    { unary: 'generate-content-response-thinking-function-call.json' },
    { unary: 'generate-content-response.json' },
  ] satisfies ScriptedAnswer[],
  signatures: [signatureOf('generate-content-response-thinking-function-call.json')],
  answer:
    "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n",
  path: `${model}:generateContent`,
};
const streamed = {
  script: [
    { sse: 'stream-alt-sse-function-call-gemini3.txt' },
    { sse: 'stream-alt-sse-thinking-function-call.txt' },
    { sse: 'stream-alt-sse.txt' },
  ] satisfies ScriptedAnswer[],
  signatures: [
    signatureOf('stream-alt-sse-function-call-gemini3.txt'),
    signatureOf('stream-alt-sse-thinking-function-call.txt'),
  ],
  answer: 'The capital of Mexico is Mexico City.',
  path: `${model}:streamGenerateContent`,
};
type Loop = typeof plain | typeof streamed;

type Content = { role: string; parts: Array<{ functionCall?: { name: string }; thoughtSignature?: string }> };

describe('Gemini 3 tool loops through every OpenAI client', () => {
  const bed = useMockAndService();
  const baseURL = () => `${bed.service.url}/v1`;

  /** Runs `client` against the script; checks every step went up with the real signatures, in order. */
  async function loop(setup: Loop, client: () => Promise<string>): Promise<void> {
    const script = scriptedAnswers(setup.script);
    bed.mock.override = script;
    const before = bed.mock.requestsTo(setup.path).length;
    try {
      assert.equal((await client()).trim(), setup.answer.trim());
    } finally {
      bed.mock.override = undefined;
    }
    assert.equal(script.served(), 3, 'two tool steps and the answer');
    const requests = bed.mock.requestsTo(setup.path).slice(before);
    assert.equal(requests.length, 3, 'no request was refused and retried');
    const last = JSON.parse(requests[2]?.body.toString('utf8') ?? '{}') as {
      contents: Content[];
      generationConfig?: Record<string, unknown>;
    };
    const sent = last.contents.flatMap((content) =>
      content.role === 'model'
        ? content.parts.filter((part) => part.functionCall !== undefined).map((part) => part.thoughtSignature)
        : [],
    );
    const expected =
      setup.signatures.length === 1 ? [setup.signatures[0], setup.signatures[0]] : setup.signatures;
    assert.deepEqual(sent, expected, 'each step went back with the signature Gemini gave it');
    assert.ok(last.generationConfig?.thinkingConfig !== undefined, 'thinking was on');
  }

  const functionTools: OpenAI.ChatCompletionTool[] = ['now', 'get_country'].map((name) => ({
    type: 'function',
    function: { name, description: `The ${name}`, parameters: { type: 'object', properties: {} } },
  }));

  for (const setup of [plain, streamed]) {
    const kind = setup === plain ? 'plain' : 'streamed';

    for (const drop of [false, true]) {
      test(`the openai SDK, ${kind}${drop ? ', extra_content dropped by the caller' : ''}`, async () => {
        await loop(setup, async () => {
          const client = new OpenAI({ apiKey: clientToken, baseURL: baseURL(), maxRetries: 0 });
          const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What now?' }];
          for (let step = 0; step < 5; step++) {
            const message =
              setup === plain
                ? (
                    await client.chat.completions.create({
                      model,
                      messages,
                      tools: functionTools,
                      reasoning_effort: 'high',
                    })
                  ).choices[0]?.message
                : (
                    await client.chat.completions
                      .stream({ model, messages, tools: functionTools, reasoning_effort: 'high' })
                      .finalChatCompletion()
                  ).choices[0]?.message;
            assert.ok(message);
            if (drop)
              for (const call of message.tool_calls ?? []) Reflect.deleteProperty(call, 'extra_content');
            messages.push(message as OpenAI.ChatCompletionAssistantMessageParam);
            if (!message.tool_calls?.length) return message.content ?? '';
            for (const call of message.tool_calls)
              messages.push({ role: 'tool', tool_call_id: call.id, content: '{"result":"ok"}' });
          }
          return 'too many steps';
        });
      });
    }

    test(`Vercel ai with @ai-sdk/openai .chat(), ${kind}`, async () => {
      await loop(setup, async () => {
        const provider = createOpenAI({ apiKey: clientToken, baseURL: baseURL() });
        const execute = async () => ({ result: 'ok' });
        const tools = {
          now: tool({
            description: 'The time',
            inputSchema: jsonSchema({ type: 'object', properties: {} }),
            execute,
          }),
          get_country: tool({
            description: 'The country',
            inputSchema: jsonSchema({ type: 'object', properties: {} }),
            execute,
          }),
        };
        const options = {
          model: provider.chat(model),
          tools,
          prompt: 'What now?',
          stopWhen: stepCountIs(5),
          maxRetries: 0,
          providerOptions: { openai: { reasoningEffort: 'high' } },
        };
        if (setup === plain) return (await generateText(options)).text;
        return await streamText(options).text;
      });
    });

    test(`LangChain ChatOpenAI, ${kind}`, async () => {
      await loop(setup, async () => {
        const chat = new ChatOpenAI({
          model,
          apiKey: clientToken,
          configuration: { baseURL: baseURL() },
          maxRetries: 0,
          // ChatOpenAI sends `reasoning` only for OpenAI's own reasoning models.
          modelKwargs: { reasoning_effort: 'high' },
        }).bindTools(functionTools);
        const messages: BaseMessage[] = [new HumanMessage('What now?')];
        for (let step = 0; step < 5; step++) {
          let reply: AIMessageChunk | undefined;
          if (setup === plain) reply = await chat.invoke(messages);
          else
            for await (const chunk of await chat.stream(messages))
              reply = reply === undefined ? chunk : reply.concat(chunk);
          assert.ok(reply);
          messages.push(reply);
          if (!reply.tool_calls?.length) return String(reply.content);
          for (const call of reply.tool_calls)
            messages.push(new ToolMessage({ tool_call_id: call.id ?? '', content: '{"result":"ok"}' }));
        }
        return 'too many steps';
      });
    });
  }

  test('a tool call Gemini 3 never signed (a history from elsewhere) goes up with the bypass value', async () => {
    const script = scriptedAnswers([{ unary: 'generate-content-response.json' }]);
    bed.mock.override = script;
    try {
      const client = new OpenAI({ apiKey: clientToken, baseURL: baseURL(), maxRetries: 0 });
      await client.chat.completions.create({
        model,
        tools: functionTools,
        messages: [
          { role: 'user', content: 'What now?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_foreign', type: 'function', function: { name: 'now', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_foreign', content: 'noon' },
        ],
      });
    } finally {
      bed.mock.override = undefined;
    }
    const body = JSON.parse(
      bed.mock.requestsTo(`${model}:generateContent`).at(-1)?.body.toString('utf8') ?? '{}',
    ) as { contents: Content[] };
    assert.equal(body.contents[1]?.parts[0]?.thoughtSignature, bypassSignature);
  });

  test('a 400 for a corrupted signature is retried once with the bypass value', async () => {
    const script = scriptedAnswers([{ unary: 'generate-content-response.json' }]);
    const corrupted = (request: ReceivedRequest, response: ServerResponse): boolean => {
      if (!request.body.includes('"thoughtSignature":"c29tZXRoaW5nIGVsc2U="'))
        return script(request, response) as boolean;
      response.writeHead(400, { 'content-type': 'application/json; charset=UTF-8' });
      // Written after the envelope Google uses for INVALID_ARGUMENT; the message as users quote it.
      response.end(
        JSON.stringify({
          error: { code: 400, message: 'Corrupted thought signature.', status: 'INVALID_ARGUMENT' },
        }),
      );
      return true;
    };
    bed.mock.override = corrupted;
    const before = bed.mock.requestsTo(`${model}:generateContent`).length;
    try {
      const client = new OpenAI({ apiKey: clientToken, baseURL: baseURL(), maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model,
        tools: functionTools,
        messages: [
          { role: 'user', content: 'What now?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_moved',
                type: 'function',
                function: { name: 'now', arguments: '{}' },
                // @ts-expect-error Google's extension field, as the SDK echoes it
                extra_content: { google: { thought_signature: 'c29tZXRoaW5nIGVsc2U=' } },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_moved', content: 'noon' },
        ],
      });
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
    } finally {
      bed.mock.override = undefined;
    }
    const requests = bed.mock.requestsTo(`${model}:generateContent`).slice(before);
    assert.equal(requests.length, 2, 'refused once, retried once');
    const retried = JSON.parse(requests[1]?.body.toString('utf8') ?? '{}') as { contents: Content[] };
    assert.equal(retried.contents[1]?.parts[0]?.thoughtSignature, bypassSignature);
  });
});
