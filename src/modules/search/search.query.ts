/**
 * Turns what a person typed into a safe `to_tsquery` text. Only runs of letters and digits survive,
 * each quoted as a lexeme, so no tsquery operator (`& | ! <-> ( ) :`) from the input ever reaches
 * PostgreSQL: "a & | !" is just the word "a". Every word must match (AND); the last word also
 * matches as a prefix, for type-ahead ("handw" finds "handwoven"), once it has two characters
 * (a one-letter prefix would expand to half the dictionary).
 */
export const MAX_WORDS = 8;
const MAX_WORD_LENGTH = 40;
const MIN_PREFIX_LENGTH = 2;

export function toTsQueryText(input: string): string | null {
  const words = (
    input
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? []
  )
    .map((w) => w.slice(0, MAX_WORD_LENGTH))
    .slice(0, MAX_WORDS);
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 && [...w].length >= MIN_PREFIX_LENGTH ? `'${w}':*` : `'${w}'`)).join(' & ');
}
