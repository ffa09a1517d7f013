/** Google API keys: `AIza` and 35 more characters. */
const googleKey = /AIza[0-9A-Za-z_-]{35}/g;
/** Other key-like words: 30-100 characters of letters, digits, `-` and `_`, with both letters and digits. */
const keyLikeWord = /^[A-Za-z0-9_-]{30,100}$/;

/**
 * The keys in pasted free text (one per line, comma-separated, a .env line, a JSON array, a log
 * excerpt…): Google-shaped keys anywhere, plus long key-like words; deduplicated, order kept.
 */
export function extractKeys(text: string): string[] {
  const found = new Set<string>(text.match(googleKey) ?? []);
  for (const word of text.split(/[\s,;'"`=:[\]{}()<>|]+/)) {
    if (keyLikeWord.test(word) && /[A-Za-z]/.test(word) && /\d/.test(word) && !word.includes('AIza'))
      found.add(word);
  }
  return [...found];
}
