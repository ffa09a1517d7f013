import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJson } from '../../test/helpers/read-fixture.ts';
import { cleanJsonSchema } from './clean-json-schema.ts';
import { SchemaBudget } from './schema-budget.ts';

describe('cleanJsonSchema', () => {
  it('drops what Gemini rejects from the recorded compat request schema', () => {
    const request = readFixtureJson('openai-compat-chat-request-tools.json') as {
      tools: Array<{ function: { parameters: unknown } }>;
    };
    assert.deepEqual(cleanJsonSchema(request.tools[0]?.function.parameters), { type: 'object' });
  });

  it('turns type arrays, null unions, const and oneOf into Gemini Schema', () => {
    const cleaned = cleanJsonSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: ['string', 'null'], default: 'x', examples: ['y'] },
        unit: { anyOf: [{ type: 'string', enum: ['c', 'f'] }, { type: 'null' }] },
        kind: { const: 'weather' },
        value: { oneOf: [{ type: 'number' }, { type: 'string', format: 'email' }] },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'integer', format: 'int64' }, minItems: 1 },
      },
      required: ['name', 'ghost'],
    });
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: {
        name: { type: 'string', nullable: true },
        unit: { type: 'string', enum: ['c', 'f'], nullable: true },
        kind: { type: 'string', enum: ['weather'] },
        value: { anyOf: [{ type: 'number' }, { type: 'string' }] },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'integer', format: 'int64' }, minItems: 1 },
      },
      required: ['name'],
    });
  });

  it('inlines local $ref definitions and survives recursion', () => {
    const cleaned = cleanJsonSchema({
      type: 'object',
      $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
      properties: { root: { $ref: '#/$defs/node', description: 'top' } },
    });
    const root = (cleaned.properties as Record<string, Record<string, unknown>>).root;
    assert.equal(root?.description, 'top');
    assert.equal(root?.type, 'object');
    assert.ok(JSON.stringify(cleaned).length < 20_000, 'recursion must be cut off');
    assert.ok(!JSON.stringify(cleaned).includes('$ref'));
  });

  it('keeps the client’s property order when asked, for structured output', () => {
    const cleaned = cleanJsonSchema(
      { type: 'object', properties: { zeta: { type: 'string' }, alpha: { type: 'string' } } },
      { preservePropertyOrder: true },
    );
    assert.deepEqual(cleaned.propertyOrdering, ['zeta', 'alpha']);
  });
});

/** `$defs` where each level references the previous one twice: the output doubles per level. */
function doublingSchema(levels: number): Record<string, unknown> {
  const definitions: Record<string, unknown> = { level0: { type: 'string', description: 'leaf' } };
  for (let level = 1; level <= levels; level += 1) {
    const previous = { $ref: `#/$defs/level${level - 1}` };
    definitions[`level${level}`] = { type: 'object', properties: { left: previous, right: previous } };
  }
  return { type: 'object', $defs: definitions, properties: { root: { $ref: `#/$defs/level${levels}` } } };
}

describe('cleanJsonSchema bounds its output', () => {
  it('refuses a 26-level doubling $defs schema with a 400 instead of expanding it', () => {
    const schema = doublingSchema(26);
    assert.ok(JSON.stringify(schema).length < 4096);
    assert.throws(() => cleanJsonSchema(schema), { status: 400, code: 'INVALID_ARGUMENT' });
  });

  it('still inlines ordinary reuse of definitions', () => {
    const cleaned = cleanJsonSchema(doublingSchema(6));
    const size = JSON.stringify(cleaned).length;
    assert.ok(size > 64 * 40, `expanded to ${size}`);
  });

  it('shares one budget between the schemas of a request', () => {
    const budget = new SchemaBudget(20_000, 'tools');
    cleanJsonSchema(doublingSchema(6), { budget });
    assert.throws(() => cleanJsonSchema(doublingSchema(7), { budget }), { status: 400, param: 'tools' });
  });
});
