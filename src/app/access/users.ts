import { accessSettingsSchema, inviteSchema, roleChangeSchema } from '../../core/access/schemas.ts';
import { conflict, forbidden, notFound } from '../../core/errors.ts';
import { parseInput } from '../../core/validation.ts';
import {
  deactivateUser,
  findSiteUser,
  insertAccountToken,
  listSiteUsers,
  revokeAccountTokens,
  setSiteRequiresTwoFactor,
  setUserRole,
  siteRequiresTwoFactor,
  type UserListing,
} from '../../store/access.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { isUniqueViolation } from '../../store/scope.ts';
import { insertUser } from '../../store/users.repo.ts';
import { type AppContext, auditUser, requireRole, scopeOf, type UserActor } from '../context.ts';
import { digestToken, newSecretToken } from '../follow-up/tokens.ts';
import { queueAccountEmail, setPasswordLink } from './account-mail.ts';

export const INVITE_HOURS = 72;
export const RESET_MINUTES = 30;

/** What the admin is told after a link is made: sent, or the link to pass on by hand. */
export interface LinkIssued {
  mailed: boolean;
  /** Only when e-mail is off: the admin passes it on by hand. */
  link?: string;
  expiresAt: Date;
  message: string;
}

export async function listUsers(ctx: AppContext, actor: UserActor): Promise<UserListing[]> {
  requireRole(actor, ['admin']);
  return listSiteUsers(ctx.db, scopeOf(actor));
}

/** Makes a single-use set-password link and sends it, or hands it back when mail is off. */
async function issueLink(
  ctx: AppContext,
  tx: Queryable,
  user: { id: string; siteId: string; email: string },
  purpose: 'invite' | 'reset',
): Promise<LinkIssued> {
  const token = newSecretToken();
  const now = ctx.now();
  const expiresAt = new Date(
    now.getTime() + (purpose === 'invite' ? INVITE_HOURS * 3_600_000 : RESET_MINUTES * 60_000),
  );
  await revokeAccountTokens(tx, user.id, purpose);
  await insertAccountToken(tx, {
    digest: digestToken(token),
    userId: user.id,
    purpose,
    createdAt: now,
    expiresAt,
  });
  if (ctx.mail) {
    await queueAccountEmail(tx, ctx.mail, { userId: user.id, siteId: user.siteId, purpose, token });
    return { mailed: true, expiresAt, message: `A link is on its way to ${user.email}.` };
  }
  return {
    mailed: false,
    link: setPasswordLink(ctx.publicUrl, token),
    expiresAt,
    message: `E-mail is off at this registry, so nothing was sent. Pass this link to ${user.email} yourself; it works once.`,
  };
}

export async function inviteUser(
  ctx: AppContext,
  actor: UserActor,
  body: unknown,
): Promise<LinkIssued & { user: UserListing }> {
  requireRole(actor, ['admin']);
  const input = parseInput(inviteSchema, body);
  const scope = scopeOf(actor);
  try {
    return await ctx.db.transaction(async (tx) => {
      const created = await insertUser(tx, {
        siteId: scope.siteId,
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: null,
      });
      const issued = await issueLink(ctx, tx, created, 'invite');
      await auditUser(tx, actor, 'invite', 'user', created.id, null, {
        role: input.role,
        mailed: issued.mailed,
      });
      const user = await findSiteUser(tx, scope, created.id);
      if (!user) throw new Error('invited user not found');
      return { ...issued, user };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`A user with e-mail ${input.email} already exists`, 'email');
    throw error;
  }
}

/** A fresh link for someone who lost theirs: an invitation if they never set a password. */
export async function issueSignInLink(
  ctx: AppContext,
  actor: UserActor,
  id: string,
): Promise<LinkIssued> {
  requireRole(actor, ['admin']);
  const scope = scopeOf(actor);
  const user = await findSiteUser(ctx.db, scope, id);
  if (!user || user.status === 'deactivated') throw notFound('User');
  return ctx.db.transaction(async (tx) => {
    const purpose = user.status === 'invited' ? 'invite' : 'reset';
    const issued = await issueLink(ctx, tx, { ...user, siteId: scope.siteId }, purpose);
    await auditUser(tx, actor, `issue-${purpose}-link`, 'user', id, null);
    return issued;
  });
}

export async function changeRole(
  ctx: AppContext,
  actor: UserActor,
  id: string,
  body: unknown,
): Promise<UserListing> {
  requireRole(actor, ['admin']);
  const input = parseInput(roleChangeSchema, body);
  if (id === actor.user.id) throw forbidden('You cannot change your own role; another admin can');
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    if (!(await setUserRole(tx, scope, id, input.role))) throw notFound('User');
    await auditUser(tx, actor, 'change-role', 'user', id, null, { role: input.role });
    const user = await findSiteUser(tx, scope, id);
    if (!user) throw notFound('User');
    return user;
  });
}

/** Deactivates a user: they cannot sign in, and every session of theirs ends at once. */
export async function deactivate(
  ctx: AppContext,
  actor: UserActor,
  id: string,
): Promise<UserListing> {
  requireRole(actor, ['admin']);
  if (id === actor.user.id) throw forbidden('You cannot deactivate yourself; another admin can');
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    if (!(await deactivateUser(tx, scope, id, ctx.now()))) throw notFound('User');
    await auditUser(tx, actor, 'deactivate', 'user', id, null);
    const user = await findSiteUser(tx, scope, id);
    if (!user) throw notFound('User');
    return user;
  });
}

export async function accessSettings(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ['admin']);
  return {
    requireTwoFactor: await siteRequiresTwoFactor(ctx.db, scopeOf(actor)),
    mail: Boolean(ctx.mail),
  };
}

/** Whether admins and clinicians of the site must sign in with a second factor. */
export async function updateAccessSettings(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, ['admin']);
  const input = parseInput(accessSettingsSchema, body);
  const scope = scopeOf(actor);
  await ctx.db.transaction(async (tx) => {
    await setSiteRequiresTwoFactor(tx, scope, input.requireTwoFactor);
    await auditUser(tx, actor, 'access-settings', 'site', scope.siteId, null, input);
  });
  return accessSettings(ctx, actor);
}
