/**
 * Model aliases and suffixes, for every surface: what a client asks for → the Gemini model that
 * serves it, plus the settings the name implies. Pure: the table comes from `MODEL_ALIASES`.
 *
 * - Aliases: `pattern=target` pairs, `*` matching any run of characters and `?` one; the first
 *   match wins, the configured pairs before the defaults below (Claude Code's names).
 * - Suffixes, read from the end in any order and combined: `-thinking-<budget>` (a thinking budget
 *   in tokens, thoughts shown), `-nothinking` (thinking as low as the model allows, thoughts
 *   hidden), `-search` (adds Google Search grounding). They apply to aliases and real names alike:
 *   `claude-sonnet-4-5-thinking-8000`, `gemini-2.5-flash-search`.
 */

export type ModelAlias = { pattern: string; target: string };

export type ThinkingSuffix = { budget: number } | 'off';

export type ResolvedModel = {
  /** What the client asked for, as it asked (without a `models/` prefix). */
  requested: string;
  /** The Gemini model the call goes to. */
  model: string;
  thinking?: ThinkingSuffix;
  search: boolean;
};

/** What Claude Code asks for (`claude-sonnet-4-5-20250929`, `claude-3-5-haiku-20241022`, `claude-opus-4-1`…). */
export const defaultModelAliases: readonly ModelAlias[] = [
  { pattern: 'claude-*opus*', target: 'gemini-2.5-pro' },
  { pattern: 'claude-*sonnet*', target: 'gemini-2.5-pro' },
  { pattern: 'claude-*haiku*', target: 'gemini-2.5-flash' },
];

/** Longest name we resolve; longer is sent on unchanged (and refused upstream). */
const maximumNameLength = 256;

export class ModelResolver {
  readonly #aliases: ReadonlyArray<{ matcher: RegExp; target: string }>;

  constructor(configured: readonly ModelAlias[] = [], defaults: readonly ModelAlias[] = defaultModelAliases) {
    this.#aliases = [...configured, ...defaults].map((alias) => ({
      matcher: globToRegExp(alias.pattern),
      target: alias.target,
    }));
  }

  resolve(name: string): ResolvedModel {
    const requested = name.replace(/^models\//, '');
    if (requested.length > maximumNameLength) return { requested, model: requested, search: false };
    const { base, thinking, search } = stripSuffixes(requested);
    const alias = this.#aliases.find((entry) => entry.matcher.test(base));
    const resolved: ResolvedModel = { requested, model: alias?.target ?? base, search };
    if (thinking !== undefined) resolved.thinking = thinking;
    return resolved;
  }
}

function stripSuffixes(name: string): { base: string; thinking?: ThinkingSuffix; search: boolean } {
  let base = name;
  let thinking: ThinkingSuffix | undefined;
  let search = false;
  // At most one of each kind; three rounds cover every order.
  for (let round = 0; round < 3; round++) {
    const budget = /-thinking-(\d{1,6})$/.exec(base);
    if (budget?.[1] !== undefined && thinking === undefined && budget.index > 0) {
      thinking = { budget: Number(budget[1]) };
      base = base.slice(0, budget.index);
    } else if (base.endsWith('-nothinking') && thinking === undefined && base.length > 11) {
      thinking = 'off';
      base = base.slice(0, -'-nothinking'.length);
    } else if (base.endsWith('-search') && !search && base.length > 7) {
      search = true;
      base = base.slice(0, -'-search'.length);
    }
  }
  return thinking === undefined ? { base, search } : { base, thinking, search };
}

function globToRegExp(pattern: string): RegExp {
  const source = [...pattern]
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'i');
}
