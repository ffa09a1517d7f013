import fc from 'fast-check';

/** Test support for the property tests: names, short texts and JSON schemas as clients write them. */
export const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
export const text = fc.string({ maxLength: 40 });
const definitionNames = ['d0', 'd1', 'd2', 'd3'] as const;

/** JSON-schema nodes as clients write them, with local $refs into four $defs. */
const schemaNode: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ node: Record<string, unknown> }>(
  (tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record(
        {
          type: fc.constantFrom('string', 'number', 'integer', 'boolean', ['string', 'null']),
          description: text,
          enum: fc.array(text, { maxLength: 4 }),
          format: fc.constantFrom('date-time', 'email', 'int64'),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record({ $ref: fc.constantFrom(...definitionNames.map((definition) => `#/$defs/${definition}`)) }),
      fc.record(
        {
          type: fc.constant('object'),
          properties: fc.dictionary(name, tie('node'), { maxKeys: 4 }),
          required: fc.array(name, { maxLength: 3 }),
          additionalProperties: fc.boolean(),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record({ type: fc.constant('array'), items: tie('node') }),
      fc.record({ anyOf: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ allOf: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
    ),
  }),
).node;

export const schema = fc
  .record({
    root: schemaNode,
    definitions: fc.record(Object.fromEntries(definitionNames.map((definition) => [definition, schemaNode]))),
  })
  .map(({ root, definitions }) => ({ ...root, $defs: definitions }));
