/** URLs Gemini reads directly (its own Files API, YouTube), so a surface must not fetch them itself. */
export function isGeminiReadableUrl(url: string): boolean {
  return /^https:\/\/(?:generativelanguage\.googleapis\.com\/|(?:www\.)?youtube\.com\/|youtu\.be\/)/.test(
    url,
  );
}
