/** `models/gemini-2.5-flash` → `gemini-2.5-flash`: Gemini accepts both, the pool and clients see one. */
export function normalizeModel(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}
