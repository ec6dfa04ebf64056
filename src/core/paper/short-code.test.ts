import { describe, expect, it } from 'vitest';
import { formatShortCode, newShortCode, readShortCode, SHORT_CODE_ALPHABET } from './short-code.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('form short codes', () => {
  it('makes eight characters of the alphabet that read back as themselves', () => {
    const code = newShortCode(bytes(0, 31, 7, 200, 13, 99, 255));
    expect(code).toHaveLength(8);
    for (const ch of code) expect(SHORT_CODE_ALPHABET).toContain(ch);
    expect(readShortCode(code)).toEqual({ ok: true, code });
    expect(formatShortCode(code)).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('reads what staff type: lower case, spaces, dashes, O for 0 and I or L for 1', () => {
    const code = newShortCode(bytes(0, 1, 2, 3, 4, 5, 6)); // 0123456 + check
    const typed = `o1 23-456${code.at(-1)?.toLowerCase()}`;
    expect(readShortCode(typed)).toEqual({ ok: true, code });
    expect(readShortCode(typed.replace('1', 'l'))).toEqual({ ok: true, code });
  });

  it('refuses a mistyped character, swapped neighbours, a wrong length or letter', () => {
    const code = newShortCode(bytes(10, 20, 30, 5, 6, 7, 8));
    const swapped = code[1] + (code[0] as string) + code.slice(2);
    const changed = `${code.slice(0, 3)}${code[3] === 'A' ? 'B' : 'A'}${code.slice(4)}`;
    for (const bad of [swapped, changed])
      expect(readShortCode(bad)).toEqual({
        ok: false,
        message: 'This code has a typing mistake: check it against the form',
      });
    expect(readShortCode('ABC')).toMatchObject({ ok: false, message: /8 characters/ });
    expect(readShortCode('ABCDEFGU')).toMatchObject({ ok: false, message: /“U” is not used/ });
  });

  it('catches every single mistyped character (but 0 for Z) over many codes', () => {
    for (let seed = 0; seed < 200; seed++) {
      const code = newShortCode(
        bytes(...Array.from({ length: 7 }, (_, i) => (seed * 7 + i * 13) % 256)),
      );
      for (let pos = 0; pos < 7; pos++)
        for (const ch of SHORT_CODE_ALPHABET) {
          if (ch === code[pos]) continue;
          const typo = code.slice(0, pos) + ch + code.slice(pos + 1);
          if (readShortCode(typo).ok) {
            expect([code[pos], ch].sort().join('')).toBe('0Z');
          }
        }
    }
  });
});
