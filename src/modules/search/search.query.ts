/**
 * Turns what a person typed into a safe `to_tsquery` text. Only runs of letters and digits survive
 * (joined by hyphens where the person joined them), each quoted as a lexeme, so no tsquery operator
 * (`& | ! <-> ( ) :`) from the input ever reaches PostgreSQL: "a & | !" is just the word "a". Every
 * word must match (AND); the last word also matches as a prefix, for type-ahead ("handw" finds
 * "handwoven"), once it has two characters (a one-letter prefix would expand to half the dictionary).
 *
 * A hyphenated word ("shop-60e07a21", "hand-woven") is kept whole as well as in parts: PostgreSQL's
 * parser reads `60e07a21` inside a hyphenated word as one part, but alone as the number `60e07`
 * followed by `a21`, so the parts alone would miss a title the person typed exactly. Either form
 * matches, so "hand-woven" still finds "hand woven".
 */
export const MAX_WORDS = 8;
const MAX_WORD_LENGTH = 40;
const MIN_PREFIX_LENGTH = 2;
const WORD = /[\p{L}\p{M}\p{N}]+(?:-[\p{L}\p{M}\p{N}]+)*/gu;

export function toTsQueryText(input: string): string | null {
  const words = (input.normalize('NFKC').toLowerCase().match(WORD) ?? []).slice(0, MAX_WORDS);
  if (words.length === 0) return null;
  return words.map((w, i) => term(w, i === words.length - 1)).join(' & ');
}

/** One word as a tsquery term: a lexeme, or a hyphenated word whole or in parts. */
function term(word: string, last: boolean): string {
  const parts = word
    .split('-')
    .slice(0, MAX_WORDS)
    .map((p) => p.slice(0, MAX_WORD_LENGTH));
  const lexeme = (text: string, prefix: boolean) => (prefix && [...text].length >= MIN_PREFIX_LENGTH ? `'${text}':*` : `'${text}'`);
  if (parts.length === 1) return lexeme(parts[0]!, last);
  const whole = lexeme(parts.join('-'), last);
  const apart = parts.map((p, i) => lexeme(p, last && i === parts.length - 1)).join(' & ');
  return `(${whole} | ${apart})`;
}
