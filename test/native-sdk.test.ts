import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GoogleGenAI } from '@google/genai';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';

describe('the official @google/genai SDK through the service', () => {
  let ai: GoogleGenAI;

  const bed = useMockAndService();

  before(async () => {
    ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: bed.service.url } });
  });

  /** Every request the upstream saw carried a pool key, never the client's token. */
  function assertUpstreamSawPoolKeysOnly(): void {
    assert.ok(bed.mock.received.length > 0);
    for (const request of bed.mock.received) {
      assert.ok(poolKeys.includes(request.key as (typeof poolKeys)[number]), `pool key on ${request.url}`);
      assert.ok(!request.url.includes(clientToken));
      assert.ok(!JSON.stringify(request.headers).includes(clientToken));
    }
  }

  test('generateContent', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Why is the sky blue?',
    });
    assert.match(response.text ?? '', /\S/);
    assert.equal(response.candidates?.[0]?.finishReason, 'STOP');
    const sent = bed.mock.requestsTo(':generateContent').at(-1);
    assert.deepEqual(
      JSON.parse(sent?.body.toString() ?? '{}').contents[0].parts[0].text,
      'Why is the sky blue?',
    );
    assertUpstreamSawPoolKeysOnly();
  });

  test('generateContentStream yields every recorded event', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-3-pro-preview',
      contents: 'Capital of Mexico?',
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
    }
    assert.equal(chunks, 3);
    assert.equal(text, 'The capital of Mexico is Mexico City.');
    assert.match(bed.mock.requestsTo(':streamGenerateContent').at(-1)?.url ?? '', /alt=sse/);
    assertUpstreamSawPoolKeysOnly();
  });

  test('countTokens', async () => {
    const response = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello' });
    assert.equal(typeof response.totalTokens, 'number');
    assert.ok((response.totalTokens ?? 0) > 0);
    assertUpstreamSawPoolKeysOnly();
  });

  test('embedContent', async () => {
    const response = await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['one', 'two'],
    });
    assert.ok((response.embeddings?.length ?? 0) >= 1);
    assert.ok((response.embeddings?.[0]?.values?.length ?? 0) > 100);
    assertUpstreamSawPoolKeysOnly();
  });

  test('models.list pages through the recorded list', async () => {
    const pager = await ai.models.list({ config: { pageSize: 50 } });
    const names = pager.page.map((model) => model.name);
    assert.equal(names.length, 50);
    assert.ok(names.includes('models/gemini-2.5-flash'));
    assertUpstreamSawPoolKeysOnly();
  });

  test('files.upload runs the resumable protocol through us, with the key that started it', async () => {
    const before = bed.mock.received.length;
    const file = await ai.files.upload({
      file: new Blob(['Paris is the capital of France.'], { type: 'text/plain' }),
      config: { mimeType: 'text/plain', displayName: 'paris.txt' },
    });
    assert.match(file.name ?? '', /^files\//);
    assert.equal(file.state, 'ACTIVE');
    const exchange = bed.mock.received.slice(before);
    assert.equal(exchange.length, 2, 'start, then upload+finalize, both through the service');
    assert.match(String(exchange[0]?.headers['x-goog-upload-command']), /start/);
    assert.match(String(exchange[1]?.headers['x-goog-upload-command']), /finalize/);
    assert.equal(exchange[1]?.body.toString(), 'Paris is the capital of France.');
    assert.equal(exchange[1]?.key, exchange[0]?.key, 'the chunk went with the key that opened the session');
    assertUpstreamSawPoolKeysOnly();
  });
});
