/** Gemini finish reasons that mean the answer was held back by a filter (safety, recitation, blocklists…). */
const heldBack = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'LANGUAGE',
]);

/** True when Gemini stopped because a filter held the answer back; every surface maps this to its own "refused". */
export function isFilteredFinish(reason: string | null | undefined): boolean {
  return reason !== null && reason !== undefined && heldBack.has(reason);
}
