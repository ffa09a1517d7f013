import { randomBytes } from 'node:crypto';

/** A new response id: `resp_` and 32 hex digits. */
export function newResponseId(): string {
  return `resp_${randomBytes(16).toString('hex')}`;
}

export type ItemPrefix = 'msg' | 'fc' | 'rs' | 'ws' | 'ig';

/**
 * An output item's id names its response and position (`rs_<hex>_0`), so an `item_reference` can be
 * resolved from the stored response alone, without an index of items.
 */
export function itemId(responseId: string, prefix: ItemPrefix, index: number): string {
  return `${prefix}_${responseId.slice('resp_'.length)}_${index}`;
}

/** The response and output position an item id of ours names; undefined for any other id. */
export function parseItemId(id: string): { responseId: string; index: number } | undefined {
  const match = /^(?:msg|fc|rs|ws|ig)_([0-9a-f]{32})_(\d{1,4})$/.exec(id);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { responseId: `resp_${match[1]}`, index: Number(match[2]) };
}

/** A function call id for the client to answer with: `call_` and 24 url-safe characters. */
export function newCallId(): string {
  return `call_${randomBytes(18).toString('base64url')}`;
}
