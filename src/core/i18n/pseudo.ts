/**
 * Pseudo-locales generated from the English catalogue, so a test can see any string that escapes
 * translation: `en-XA` accents every letter, lengthens the text by about a third (German and
 * Finnish run that much longer) and brackets it; `ar-XB` keeps the words but sets them right to
 * left, to check layout. Placeholders, plural and select keywords are left as they are.
 */
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { printAST } from '@formatjs/icu-messageformat-parser/printer.js';

const ACCENTED: Record<string, string> = {
  a: 'á',
  b: 'ƀ',
  c: 'ç',
  d: 'ð',
  e: 'é',
  f: 'ƒ',
  g: 'ĝ',
  h: 'ĥ',
  i: 'í',
  j: 'ĵ',
  k: 'ķ',
  l: 'ļ',
  m: 'ɱ',
  n: 'ñ',
  o: 'ó',
  p: 'þ',
  q: 'ǫ',
  r: 'ŕ',
  s: 'š',
  t: 'ţ',
  u: 'ú',
  v: 'ṽ',
  w: 'ŵ',
  x: 'ẋ',
  y: 'ý',
  z: 'ž',
  A: 'Å',
  B: 'Ɓ',
  C: 'Ç',
  D: 'Ð',
  E: 'É',
  F: 'Ƒ',
  G: 'Ĝ',
  H: 'Ĥ',
  I: 'Í',
  J: 'Ĵ',
  K: 'Ķ',
  L: 'Ļ',
  M: 'Ṁ',
  N: 'Ñ',
  O: 'Ó',
  P: 'Þ',
  Q: 'Ǫ',
  R: 'Ŕ',
  S: 'Š',
  T: 'Ţ',
  U: 'Û',
  V: 'Ṽ',
  W: 'Ŵ',
  X: 'Ẋ',
  Y: 'Ý',
  Z: 'Ž',
};

/** Accented letters, then one filler per three letters ("~"), so lengthened lines show. */
export function accentText(text: string): string {
  const accented = [...text].map((c) => ACCENTED[c] ?? c).join('');
  const letters = [...text].filter((c) => /\p{L}/u.test(c)).length;
  return letters === 0 ? accented : `${accented}${'~'.repeat(Math.ceil(letters / 3))}`;
}

// Right-to-left override … pop directional formatting: the words read right to left.
const rtlText = (text: string) => (/\p{L}/u.test(text) ? `\u202e${text}\u202c` : text);

function mapLiterals(
  elements: MessageFormatElement[],
  change: (text: string) => string,
): MessageFormatElement[] {
  return elements.map((el) => {
    if (el.type === TYPE.literal) return { ...el, value: change(el.value) };
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      const options = Object.fromEntries(
        Object.entries(el.options).map(([k, o]) => [
          k,
          { ...o, value: mapLiterals(o.value, change) },
        ]),
      );
      return { ...el, options } as MessageFormatElement;
    }
    if (el.type === TYPE.tag) return { ...el, children: mapLiterals(el.children, change) };
    return el;
  });
}

/** One message in a pseudo-locale; `bracket` marks where every message starts and ends. */
export function pseudoMessage(message: string, kind: 'accented' | 'rtl'): string {
  const change = kind === 'accented' ? accentText : rtlText;
  const body = printAST(mapLiterals(parse(message, { ignoreTag: true }), change));
  return kind === 'accented' ? `[${body}]` : body;
}

export function pseudoCatalogue<K extends string>(
  english: Record<K, string>,
  kind: 'accented' | 'rtl',
): Record<K, string> {
  return Object.fromEntries(
    Object.entries<string>(english).map(([k, v]) => [k, pseudoMessage(v, kind)]),
  ) as Record<K, string>;
}
