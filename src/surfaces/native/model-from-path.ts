/**
 * The model a native call is about, for quotas and logs: `…/models/gemini-2.5-flash:generateContent`
 * → `gemini-2.5-flash`; tuned models too. Calls about no model (files, operations) get undefined.
 */
export function modelFromPath(path: string): string | undefined {
  const match = /\/(?:models|tunedModels)\/([^/:?]+)/.exec(path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
