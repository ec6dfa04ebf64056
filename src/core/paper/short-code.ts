/**
 * The short code printed on a paper form, which staff type to find it when it comes back:
 * seven random characters and a check character from Crockford's base 32 alphabet (no I, L,
 * O or U, so nothing is read as 1 or 0), shown as two groups of four: `K7QM-3XPD`.
 */

export const SHORT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_LENGTH = 7;

/**
 * The check character: position-weighted sum mod 31 (a prime), so one mistyped character and
 * two swapped neighbours change it, save the pair 0 and Z, whose values differ by 31.
 */
function checkCharacter(data: string): string {
  let sum = 0;
  for (const [i, ch] of [...data].entries()) sum += (i + 1) * SHORT_CODE_ALPHABET.indexOf(ch);
  return SHORT_CODE_ALPHABET[sum % 31] as string;
}

/** A new short code from random bytes (at least seven; the caller brings the randomness). */
export function newShortCode(randomBytes: Uint8Array): string {
  if (randomBytes.length < DATA_LENGTH) throw new Error('newShortCode needs 7 random bytes');
  let data = '';
  for (let i = 0; i < DATA_LENGTH; i++)
    data += SHORT_CODE_ALPHABET[(randomBytes[i] as number) % 32];
  return data + checkCharacter(data);
}

/** The code as printed: two groups of four. */
export function formatShortCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export type ShortCodeReading = { ok: true; code: string } | { ok: false; message: string };

/**
 * Reads a code as staff typed it: any case, spaces and dashes ignored, O read as 0 and I or
 * L as 1 (Crockford's rule). Refuses a wrong length, a letter not in the alphabet or a wrong
 * check character, with a message saying which.
 */
export function readShortCode(typed: string): ShortCodeReading {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (code.length !== DATA_LENGTH + 1)
    return { ok: false, message: 'A form code has 8 characters, like K7QM-3XPD' };
  const bad = [...code].find((ch) => !SHORT_CODE_ALPHABET.includes(ch));
  if (bad !== undefined)
    return { ok: false, message: `“${bad}” is not used in form codes: check the code on the form` };
  if (checkCharacter(code.slice(0, DATA_LENGTH)) !== code.at(-1))
    return { ok: false, message: 'This code has a typing mistake: check it against the form' };
  return { ok: true, code };
}
