import { errors } from '../errors/app-error.ts';
import { measureJson } from '../json/measure-json.ts';

/** Output allowed for a schema regardless of its size (covers ordinary `$ref` reuse). */
const baseAllowance = 16 * 1024;
/** Output allowed per unit of input: inlined `$ref`s may repeat a definition, within reason. */
const expansionFactor = 16;

/**
 * Bounds what cleaning JSON schemas may produce for one request. Inlining local `$ref`s copies their
 * targets, so `$defs` that each reference the previous one twice double per level: 26 levels of a
 * 3 KB schema would need gigabytes. Every output node is charged (about its serialised size); past
 * the allowance the client gets a 400 naming the parameter, before any memory blows up.
 */
export class SchemaBudget {
  readonly limit: number;
  #spent = 0;
  readonly #param: string | undefined;

  constructor(limit: number, param?: string) {
    this.limit = limit;
    this.#param = param;
  }

  /** A budget for the given schemas together: a fixed allowance plus a multiple of their size. */
  static forSchemas(schemas: readonly unknown[], param?: string): SchemaBudget {
    let size = 0;
    for (const schema of schemas) if (schema !== undefined) size += measureJson(schema).size;
    return new SchemaBudget(baseAllowance + expansionFactor * size, param);
  }

  spend(units: number): void {
    this.#spent += units;
    if (this.#spent <= this.limit) return;
    throw errors.invalidArgument(
      `The JSON schema grows beyond ${this.limit} bytes once its $refs are inlined (Gemini needs them inlined): reuse definitions less.`,
      this.#param,
    );
  }
}
