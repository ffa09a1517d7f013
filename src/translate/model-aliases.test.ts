import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyModelSuffix } from './apply-model-suffix.ts';
import { ModelResolver } from './model-aliases.ts';

describe('ModelResolver', () => {
  const resolver = new ModelResolver();

  test("Claude Code's names map to Gemini models by default", () => {
    assert.equal(resolver.resolve('claude-sonnet-4-5-20250929').model, 'gemini-2.5-pro');
    assert.equal(resolver.resolve('claude-opus-4-1').model, 'gemini-2.5-pro');
    assert.equal(resolver.resolve('claude-haiku-4-5-20251001').model, 'gemini-2.5-flash');
    assert.equal(resolver.resolve('claude-3-5-haiku-20241022').model, 'gemini-2.5-flash');
  });

  test('a Gemini name passes unchanged; the requested name is kept', () => {
    assert.deepEqual(resolver.resolve('models/gemini-3-pro-preview'), {
      requested: 'gemini-3-pro-preview',
      model: 'gemini-3-pro-preview',
      search: false,
    });
  });

  test('configured aliases come before the defaults; globs with * and ?', () => {
    const custom = new ModelResolver([
      { pattern: 'claude-sonnet-*', target: 'gemini-3-pro-preview' },
      { pattern: 'fast-?', target: 'gemini-2.5-flash-lite' },
    ]);
    assert.equal(custom.resolve('claude-sonnet-4-5').model, 'gemini-3-pro-preview');
    assert.equal(custom.resolve('fast-1').model, 'gemini-2.5-flash-lite');
    assert.equal(custom.resolve('fast-12').model, 'fast-12');
    assert.equal(custom.resolve('claude-haiku-4-5').model, 'gemini-2.5-flash');
  });

  test('a pattern is matched literally apart from * and ?', () => {
    const custom = new ModelResolver([{ pattern: 'a.b', target: 'gemini-2.5-flash' }], []);
    assert.equal(custom.resolve('a.b').model, 'gemini-2.5-flash');
    assert.equal(custom.resolve('axb').model, 'axb');
  });

  test('suffixes: -thinking-<budget>, -nothinking, -search, combined, on aliases too', () => {
    assert.deepEqual(resolver.resolve('gemini-2.5-flash-search'), {
      requested: 'gemini-2.5-flash-search',
      model: 'gemini-2.5-flash',
      search: true,
    });
    assert.deepEqual(resolver.resolve('claude-sonnet-4-5-thinking-8000'), {
      requested: 'claude-sonnet-4-5-thinking-8000',
      model: 'gemini-2.5-pro',
      thinking: { budget: 8000 },
      search: false,
    });
    const both = resolver.resolve('gemini-2.5-flash-nothinking-search');
    assert.equal(both.model, 'gemini-2.5-flash');
    assert.equal(both.thinking, 'off');
    assert.equal(both.search, true);
  });

  test('names that only look like suffixes stay whole', () => {
    assert.equal(resolver.resolve('gemini-2.0-flash-thinking-exp').model, 'gemini-2.0-flash-thinking-exp');
    assert.equal(resolver.resolve('-search').model, '-search');
  });
});

describe('applyModelSuffix', () => {
  const resolver = new ModelResolver();

  test('-search adds Google Search once, keeping the tools already there', () => {
    const body = { contents: [], tools: [{ functionDeclarations: [{ name: 'f' }] }] };
    const patched = applyModelSuffix(body, resolver.resolve('gemini-2.5-flash-search'));
    assert.deepEqual(patched.tools, [{ functionDeclarations: [{ name: 'f' }] }, { googleSearch: {} }]);
    assert.deepEqual(
      applyModelSuffix(patched, resolver.resolve('gemini-2.5-flash-search')).tools,
      patched.tools,
    );
    assert.equal(body.tools.length, 1, 'the input is not changed');
  });

  test('a thinking suffix replaces the thinkingConfig, in the spelling the body uses', () => {
    const snake = applyModelSuffix(
      { generation_config: { temperature: 1, thinking_config: { thinking_budget: 5 } } },
      resolver.resolve('gemini-2.5-flash-thinking-2048'),
    );
    assert.deepEqual(snake.generation_config, {
      temperature: 1,
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
    const gemini3 = applyModelSuffix({}, resolver.resolve('gemini-3-pro-preview-nothinking'));
    assert.deepEqual(gemini3.generationConfig, { thinkingConfig: { thinkingLevel: 'low' } });
  });
});
