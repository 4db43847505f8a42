/** Small English helpers for template captions: articles, plurals, counts, lists. */

const IRREGULAR_PLURALS: Record<string, string> = {
  person: 'people',
  man: 'men',
  woman: 'women',
  child: 'children',
  mouse: 'mice',
  sheep: 'sheep',
  fish: 'fish',
  deer: 'deer',
  knife: 'knives',
  leaf: 'leaves',
  shelf: 'shelves',
  broccoli: 'broccoli',
  skis: 'skis',
  scissors: 'scissors',
  glasses: 'glasses',
};

/** Plural of a (possibly multi-word) noun: the last word is inflected ("traffic light" → "traffic lights"). */
export function plural(noun: string): string {
  const words = noun.split(' ');
  const last = words.pop()!;
  const lower = last.toLowerCase();
  let p: string;
  if (IRREGULAR_PLURALS[lower]) p = IRREGULAR_PLURALS[lower]!;
  else if (/(s|x|z|ch|sh)$/.test(lower)) p = `${last}es`;
  else if (/[^aeiou]y$/.test(lower)) p = `${last.slice(0, -1)}ies`;
  else p = `${last}s`;
  return [...words, p].join(' ');
}

/** "a" or "an" by the first sound of `word` (vowel letters, with the common exceptions). */
export function article(word: string): 'a' | 'an' {
  const w = word.toLowerCase();
  if (/^(uni|use|usu|one|eu)/.test(w)) return 'a';
  if (/^(hour|honest|honou?r)/.test(w)) return 'an';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}

export function withArticle(phrase: string): string {
  return `${article(phrase)} ${phrase}`;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

export function countWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
