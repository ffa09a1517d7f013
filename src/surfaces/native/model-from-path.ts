/**
 * The model a native call is about, for quotas and logs: `…/models/gemini-2.5-flash:generateContent`
 * → `gemini-2.5-flash`; tuned models too. Calls about no model (files, operations) get undefined.
 * The first `/models/` or `/tunedModels/` followed by a name (up to `/`, `:` or `?`) counts; found
 * with indexOf, not a regular expression, and decoded only when it holds an escape: this runs on
 * every native call.
 */
export function modelFromPath(path: string): string | undefined {
  let models = path.indexOf(modelsMarker);
  let tuned = path.indexOf(tunedMarker);
  while (models !== -1 || tuned !== -1) {
    const isModels = tuned === -1 || (models !== -1 && models < tuned);
    const start = isModels ? models + modelsMarker.length : tuned + tunedMarker.length;
    const end = nameEnd(path, start);
    if (end > start) {
      const name = path.slice(start, end);
      return name.includes('%') ? decodeURIComponent(name) : name;
    }
    if (isModels) models = path.indexOf(modelsMarker, models + 1);
    else tuned = path.indexOf(tunedMarker, tuned + 1);
  }
  return undefined;
}

const modelsMarker = '/models/';
const tunedMarker = '/tunedModels/';

/** Where a name starting at `start` ends: the first `/`, `:` or `?`, else the end of the path. */
function nameEnd(path: string, start: number): number {
  for (let index = start; index < path.length; index++) {
    const code = path.charCodeAt(index);
    if (code === 0x2f || code === 0x3a || code === 0x3f) return index;
  }
  return path.length;
}
