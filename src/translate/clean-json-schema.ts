import type { JsonObject } from '../gemini/types.ts';
import { isRecord } from '../json/lenient-json.ts';
import { SchemaBudget } from './schema-budget.ts';

/*
 * Turns a client's JSON Schema into the OpenAPI-subset `Schema` that Gemini's `parameters` and
 * `responseSchema` accept. We send the cleaned `parameters` rather than `parametersJsonSchema` so
 * every Gemini model (not only those that read full JSON Schema) takes the same request.
 * Gemini rejects unknown keywords ($schema, additionalProperties, default, examples, …), type arrays
 * and `$ref`, so: keep the known keywords, inline local `$ref`s, turn `["string","null"]` into
 * `type` + `nullable`, and `oneOf` into `anyOf`.
 */

const copiedKeywords = [
  'title',
  'description',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minProperties',
  'maxProperties',
] as const;

/** Gemini only knows these `format`s: enum/date-time on strings, widths on numbers. */
const allowedFormats = new Set(['enum', 'date-time', 'int32', 'int64', 'float', 'double']);

const maximumDepth = 32;
/** What one output node costs the budget: about the bytes of `{"type":"object"}` and its commas. */
const nodeCost = 24;

export interface CleanOptions {
  /** Adds `propertyOrdering` so structured output keeps the client's key order (Gemini sorts otherwise). */
  preservePropertyOrder?: boolean;
  /** Shared by every schema of one request; by default a budget sized for this schema alone. */
  budget?: SchemaBudget;
}

export function cleanJsonSchema(schema: unknown, options: CleanOptions = {}): JsonObject {
  const root = isRecord(schema) ? schema : {};
  const definitions = { ...asRecord(root.definitions), ...asRecord(root.$defs) };
  const budget = options.budget ?? SchemaBudget.forSchemas([schema]);
  return cleanNode(root, { definitions, options, budget, depth: 0 });
}

interface Context {
  definitions: Record<string, unknown>;
  options: CleanOptions;
  budget: SchemaBudget;
  depth: number;
}

function cleanNode(input: Record<string, unknown>, context: Context): JsonObject {
  context.budget.spend(nodeCost);
  if (context.depth > maximumDepth) return { type: 'object' };
  const node = resolveReference(input, context);
  const next = { ...context, depth: context.depth + 1 };
  const output: JsonObject = {};
  applyType(node, output);
  copyKeywords(node, output, context.budget);
  applyEnum(node, output, context.budget);
  applyFormat(node, output);
  applyAlternatives(node, output, next);
  if (isRecord(node.items)) output.items = cleanNode(node.items, next);
  applyProperties(node, output, next);
  return output;
}

function resolveReference(node: Record<string, unknown>, context: Context): Record<string, unknown> {
  if (typeof node.$ref !== 'string') return mergeAllOf(node);
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref)?.[1];
  const target = name === undefined ? undefined : context.definitions[name];
  // An unresolvable (remote) reference becomes an unconstrained object rather than a 400 upstream.
  const { $ref: _reference, ...siblings } = node;
  return mergeAllOf({ ...(isRecord(target) ? target : { type: 'object' }), ...siblings });
}

function mergeAllOf(node: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(node.allOf)) return node;
  const { allOf, ...rest } = node;
  const merged: Record<string, unknown> = { ...rest };
  for (const member of allOf.filter(isRecord)) {
    const properties = { ...asRecord(merged.properties), ...asRecord(member.properties) };
    const required = [...asArray(merged.required), ...asArray(member.required)];
    Object.assign(merged, member, { properties, required });
  }
  if (Object.keys(asRecord(merged.properties)).length === 0) delete merged.properties;
  if (asArray(merged.required).length === 0) delete merged.required;
  return merged;
}

function applyType(node: Record<string, unknown>, output: JsonObject): void {
  const types = typeof node.type === 'string' ? [node.type] : asArray(node.type).filter(isString);
  const concrete = types.filter((type) => type !== 'null');
  if (concrete.length < types.length || node.nullable === true) output.nullable = true;
  if (concrete.length === 1 && concrete[0] !== undefined) output.type = concrete[0];
  else if (concrete.length > 1) output.anyOf = concrete.map((type) => ({ type }));
  if (output.type === undefined && typeof node.const === 'string') output.type = 'string';
}

function copyKeywords(node: Record<string, unknown>, output: JsonObject, budget: SchemaBudget): void {
  for (const keyword of copiedKeywords) {
    const value = node[keyword];
    if (typeof value === 'string') budget.spend(value.length + keyword.length);
    if (typeof value === 'string' || typeof value === 'number') output[keyword] = value;
  }
}

function applyEnum(node: Record<string, unknown>, output: JsonObject, budget: SchemaBudget): void {
  const values = node.const !== undefined ? [node.const] : asArray(node.enum);
  if (values.length === 0) return;
  if (values.includes(null)) output.nullable = true;
  const present = values.filter((value) => value !== null);
  const strings = present.filter(isString);
  // Gemini's enum is for strings only; a numeric enum is dropped rather than failing the request.
  for (const value of strings) budget.spend(value.length + 3);
  if (present.length > 0 && strings.length === present.length) output.enum = strings;
}

function applyFormat(node: Record<string, unknown>, output: JsonObject): void {
  if (typeof node.format === 'string' && allowedFormats.has(node.format)) output.format = node.format;
}

function applyAlternatives(node: Record<string, unknown>, output: JsonObject, context: Context): void {
  const alternatives = [...asArray(node.anyOf), ...asArray(node.oneOf)].filter(isRecord);
  if (alternatives.length === 0) return;
  const concrete = alternatives.filter((alternative) => alternative.type !== 'null');
  if (concrete.length < alternatives.length) output.nullable = true;
  const cleaned = concrete.map((alternative) => cleanNode(alternative, context));
  if (cleaned.length === 1 && cleaned[0] !== undefined)
    Object.assign(output, cleaned[0], withNullable(output));
  else if (cleaned.length > 1) output.anyOf = cleaned;
}

function withNullable(output: JsonObject): JsonObject {
  return output.nullable === true ? { nullable: true } : {};
}

function applyProperties(node: Record<string, unknown>, output: JsonObject, context: Context): void {
  const properties = asRecord(node.properties);
  const names = Object.keys(properties);
  // Gemini rejects an OBJECT whose `properties` is present but empty.
  if (names.length === 0) return;
  const cleaned: JsonObject = {};
  for (const name of names) {
    // The name appears in `properties` and maybe in `required` and `propertyOrdering`.
    context.budget.spend(3 * (name.length + 3));
    const property = properties[name];
    cleaned[name] = cleanNode(isRecord(property) ? property : {}, context);
  }
  output.properties = cleaned;
  const required = asArray(node.required).filter(
    (name): name is string => isString(name) && names.includes(name),
  );
  if (required.length > 0) output.required = required;
  if (context.options.preservePropertyOrder === true) output.propertyOrdering = names;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
