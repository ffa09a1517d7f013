import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type Browser, chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './helpers/chromium.ts';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  requestBody?: {
    content: Record<
      string,
      { schema?: { $ref?: string; properties?: Record<string, unknown> }; example?: unknown }
    >;
  };
};
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

/** Screenshots land here, beside the other test output (gitignored). */
const outputFolder = join('test', 'output');

describe('/docs', () => {
  const bed = useMockAndService();
  let document: OpenApiDocument;

  before(async () => {
    const response = await fetch(`${bed.service.url}/docs/json`);
    assert.equal(response.status, 200, '/docs/json needs no token');
    document = (await response.json()) as OpenApiDocument;
  });

  test('/docs/json is valid OpenAPI 3', async () => {
    assert.match(document.openapi, /^3\./);
    const result = await new Validator().validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  test('generateContent is documented with a request body schema, an example and its auth', () => {
    const operation = document.paths['/v1beta/models/{model}:generateContent']?.post;
    assert.equal(operation?.operationId, 'generateContent');
    const body = operation?.requestBody?.content['application/json'];
    const name = body?.schema?.$ref?.split('/').at(-1) ?? '';
    assert.ok(document.components.schemas[name]?.properties?.contents, 'the schema names contents');
    assert.deepEqual(body?.example, { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
    assert.deepEqual(
      operation?.security?.map((entry) => Object.keys(entry)[0]),
      ['googApiKey', 'keyQuery', 'bearer'],
    );
  });

  test('the Responses API is documented with a request body schema, an example and its auth', () => {
    const operation = document.paths['/v1/responses']?.post;
    assert.equal(operation?.operationId, 'createResponse');
    const body = operation?.requestBody?.content['application/json'];
    for (const field of ['model', 'input', 'tools', 'previous_response_id', 'stream'])
      assert.ok(body?.schema?.properties?.[field], `the schema names ${field}`);
    assert.deepEqual(body?.example, {
      model: 'gemini-2.5-flash',
      input: 'Hello',
      instructions: 'Answer briefly.',
    });
    assert.deepEqual(
      operation?.security?.map((entry) => Object.keys(entry)[0]),
      ['bearer'],
    );
    assert.deepEqual(Object.keys(document.paths['/v1/responses/{id}'] ?? {}).sort(), ['delete', 'get']);
    assert.ok(document.paths['/v1/responses/{id}/cancel']?.post);
  });

  test('images and audio have a request body schema and an example', () => {
    const bodies = {
      '/v1/images/generations': ['application/json', 'prompt'],
      '/v1/images/edits': ['multipart/form-data', 'image'],
      '/v1/audio/speech': ['application/json', 'voice'],
      '/v1/audio/transcriptions': ['multipart/form-data', 'file'],
    } as const;
    for (const [path, [type, field]] of Object.entries(bodies)) {
      const body = document.paths[path]?.post?.requestBody?.content[type];
      assert.ok(body?.schema?.properties?.[field], `${path} names ${field}`);
      assert.ok(body?.example, `${path} has an example`);
    }
  });

  test('each endpoint people call has an entry; the pass-through is one entry per version; no TRACE', () => {
    for (const path of [
      '/v1beta/models/{model}:streamGenerateContent',
      '/v1beta/models/{model}:countTokens',
      '/v1beta/models/{model}:embedContent',
      '/v1beta/models/{model}:batchEmbedContents',
      '/v1beta/models',
      '/v1beta/models/{model}',
      '/upload/v1beta/files',
      '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent',
      '/v1/chat/completions',
      '/v1/models',
      '/v1/embeddings',
      '/v1/messages',
      '/v1/messages/count_tokens',
      '/health',
    ])
      assert.ok(document.paths[path], path);
    for (const version of ['v1beta', 'v1', 'v1alpha'])
      assert.deepEqual(Object.keys(document.paths[`/${version}/{path}`] ?? {}), ['post'], version);
    const methods = Object.values(document.paths).flatMap((item) => Object.keys(item));
    assert.ok(!methods.includes('trace'));
    assert.ok(!Object.keys(document.paths).some((path) => path.includes('*')), 'no wildcard entries');
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: chromiumArgs,
      });
    });
    after(async () => {
      await browser?.close();
    });

    test('the page renders our API, and Try it out works after Authorize with a client token', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      await page.goto(`${bed.service.url}/docs`);
      await page
        .getByRole('heading', { name: /Gemini Balance/ })
        .first()
        .waitFor();
      assert.equal(await page.title(), 'Gemini Balance API');
      assert.equal(await page.locator('.topbar').count(), 0, 'no top bar with the framework logo');

      await page
        .getByRole('button', { name: /Authorize/ })
        .first()
        .click();
      const dialog = page.locator('.modal-ux');
      // The first scheme is x-goog-api-key, as Gemini clients send the token.
      await dialog.locator('input').first().fill(clientToken);
      await dialog.locator('button.authorize').first().click();
      await dialog.locator('button.btn-done').first().click();

      const operation = page.locator('[id="operations-Gemini_API-generateContent"]');
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.getByRole('button', { name: 'Execute' }).click();
      const status = operation.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor();
      assert.equal((await status.textContent())?.trim(), '200');
      const body = await operation.locator('.live-responses-table .highlight-code').first().textContent();
      assert.match(body ?? '', /candidates/);

      mkdirSync(outputFolder, { recursive: true });
      await page.screenshot({ path: join(outputFolder, 'docs-page.png'), fullPage: false });
      assert.deepEqual(failures, []);
      await page.close();
    });
  });
});
