/**
 * The one way an e-mail address is compared: sign-in looks the user up by it and the sign-in
 * throttle keys on it, so " Ada@Site" and "ada@site" are one account to both (issue 18).
 */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}
