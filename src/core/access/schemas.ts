import { z } from 'zod';
import { ROLES } from '../registry/vocabulary.ts';
import { normaliseEmail } from './email.ts';

/**
 * NIST SP 800-63B §5.1.1.2 (memorized secrets): at least 8 characters, at least 64 allowed,
 * no composition rules; the check against commonly used and breached passwords is done where
 * the list is loaded (app/access/passwords.ts), since core/ reads no files.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const newPassword = z
  .string({ error: 'Password is required' })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters`);

const email = z
  .string({ error: 'Email is required' })
  .max(254, 'At most 254 characters')
  .transform(normaliseEmail)
  .pipe(z.email('Enter a valid email address'));

const role = z.enum(ROLES, { error: `Role must be one of ${ROLES.join(', ')}` });

export const inviteSchema = z.strictObject({
  email,
  name: z.string({ error: 'Name is required' }).trim().min(1, 'Name is required').max(200),
  role,
});
export const roleChangeSchema = z.strictObject({ role });
export const passwordResetRequestSchema = z.strictObject({ email });
export const setPasswordSchema = z.strictObject({
  token: z.string({ error: 'The link is incomplete' }).max(100),
  password: newPassword,
});
export const changePasswordSchema = z.strictObject({
  currentPassword: z.string({ error: 'Current password is required' }).min(1).max(PASSWORD_MAX),
  newPassword,
});
export const secondFactorSchema = z.strictObject({
  challenge: z.string({ error: 'Sign in with your password first' }).max(100),
  code: z
    .string({ error: 'Enter the code from your app or a recovery code' })
    .trim()
    .min(6, 'Enter the 6-digit code from your app or a recovery code')
    .max(40),
});
export const confirmTwoFactorSchema = z.strictObject({
  code: z
    .string({ error: 'Enter the 6-digit code from your app' })
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code from your app'),
});
/** Turning two-factor sign-in off needs the password and a code, as signing in does. */
export const disableTwoFactorSchema = z.strictObject({
  currentPassword: z.string({ error: 'Current password is required' }).min(1).max(PASSWORD_MAX),
  code: z
    .string({ error: 'Enter the code from your app or a recovery code' })
    .trim()
    .min(6, 'Enter the 6-digit code from your app or a recovery code')
    .max(40),
});
/** New recovery codes need a code from the app (a lost list is the usual reason to ask). */
export const newRecoveryCodesSchema = confirmTwoFactorSchema;
export const accessSettingsSchema = z.strictObject({
  requireTwoFactor: z.boolean({ error: 'requireTwoFactor must be true or false' }),
});
