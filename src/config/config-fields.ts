import { z } from 'zod';

/** Field parsers shared by the config schema: every value arrives as an optional string. */

/** Comma- or newline-separated list, or a JSON array; blanks dropped, duplicates removed, order kept. */
export function parseList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const text = raw.trim();
  if (text === '') return [];
  let items: unknown[] | undefined;
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      items = undefined;
    }
  }
  const values = (items ?? text.split(/[,\n]/))
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
  return [...new Set(values)];
}

export const list = z.string().optional().transform(parseList);
export const integer = (fallback: number, min: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(
      z
        .number({ error: `expected a whole number >= ${min}` })
        .int(`expected a whole number >= ${min}`)
        .min(min),
    );
export const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
export const proxyUrl = z
  .string()
  .optional()
  .pipe(
    z.url({ protocol: /^(https?|socks5)$/, error: 'expected an http(s):// or socks5:// URL' }).optional(),
  );
