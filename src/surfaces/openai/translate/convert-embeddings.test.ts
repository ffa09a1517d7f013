import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureBytes, readFixtureJson } from '../../../../test/helpers/read-fixture.ts';
import { convertEmbeddingsRequest, convertEmbeddingsResponse } from './convert-embeddings.ts';

const recordedValues = (
  readFixtureJson('batch-embed-contents-response.json') as { embeddings: Array<{ values: number[] }> }
).embeddings[0]?.values;

describe('convertEmbeddingsRequest', () => {
  it('builds byte for byte the batchEmbedContents body llm-gemini sent', () => {
    const converted = convertEmbeddingsRequest({
      model: 'gemini-embedding-001',
      input: 'Some text goes here',
      dimensions: 768,
    });
    assert.equal(
      JSON.stringify(converted.body),
      readFixtureBytes('batch-embed-contents-request.json').toString('utf8'),
    );
    assert.equal(converted.model, 'gemini-embedding-001');
    assert.equal(converted.encodingFormat, 'float');
  });

  it('sends one request per input string and no dimensions unless asked', () => {
    const converted = convertEmbeddingsRequest({ model: 'models/text-embedding-004', input: ['a', 'b'] });
    assert.deepEqual(converted.body.requests, [
      { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] } },
      { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] } },
    ]);
  });

  it('refuses token arrays with a 400 naming input', () => {
    assert.throws(() => convertEmbeddingsRequest({ model: 'm', input: [1, 2, 3] }), {
      status: 400,
      param: 'input',
    });
    assert.throws(() => convertEmbeddingsRequest({ model: 'm', input: [[1, 2]] }), {
      status: 400,
      param: 'input',
    });
  });

  it('names a missing model and a bad encoding_format', () => {
    assert.throws(() => convertEmbeddingsRequest({ input: 'x' }), { status: 400, param: 'model' });
    assert.throws(() => convertEmbeddingsRequest({ model: 'm', input: 'x', encoding_format: 'hex' }), {
      param: 'encoding_format',
    });
  });
});

describe('convertEmbeddingsResponse', () => {
  const response = readFixtureJson('batch-embed-contents-response.json');

  it('returns the recorded vector as floats', () => {
    const converted = convertEmbeddingsResponse(response, {
      model: 'gemini-embedding-001',
      encodingFormat: 'float',
    });
    assert.equal(converted.object, 'list');
    assert.equal(converted.model, 'gemini-embedding-001');
    assert.equal(converted.data.length, 1);
    assert.deepEqual(converted.data[0], { object: 'embedding', index: 0, embedding: recordedValues });
    assert.equal(recordedValues?.length, 768);
    assert.deepEqual(converted.usage, { prompt_tokens: 0, total_tokens: 0 });
  });

  it('encodes base64 as little-endian float32, as OpenAI does', () => {
    const converted = convertEmbeddingsResponse(response, { model: 'm', encodingFormat: 'base64' });
    const bytes = Buffer.from(String(converted.data[0]?.embedding), 'base64');
    assert.equal(bytes.length, 768 * 4);
    const decoded = Array.from({ length: 768 }, (_, index) => bytes.readFloatLE(index * 4));
    assert.deepEqual(
      decoded,
      recordedValues?.map((value) => Math.fround(value)),
    );
  });

  it('refuses an unreadable body with a 502', () => {
    assert.throws(
      () => convertEmbeddingsResponse({ embeddings: 'x' }, { model: 'm', encodingFormat: 'float' }),
      {
        status: 502,
      },
    );
  });
});
