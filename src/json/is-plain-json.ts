/** A value `JSON.parse` made (plain object or array), not a Buffer or stream a raw route carries. */
export function isParsedJson(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
