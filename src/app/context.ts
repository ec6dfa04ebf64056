import { forbidden } from '../core/errors.ts';
import type { Role } from '../core/registry/vocabulary.ts';
import { appendAudit } from '../store/audit.repo.ts';
import type { Db, Queryable } from '../store/db.ts';
import type { SiteScope } from '../store/scope.ts';
import type { SubmissionBatcher } from '../store/submission-batch.ts';
import type { User } from '../store/users.repo.ts';
import type { ViewCache } from './analytics/view-cache.ts';
import type { Gate } from './compute/gate.ts';
import type { ComputePool } from './compute/pool.ts';
import type { MailSettings } from './follow-up/mail.ts';
import type { SmsSettings } from './follow-up/sms.ts';

/** What every use case gets: the database and the clock (passed in so tests can move time). */
export interface AppContext {
  db: Db;
  now: () => Date;
  /** Base URL that survey links start with, e.g. `http://localhost:3000`. */
  publicUrl: string;
  /** Outgoing survey e-mail; absent when the registry has not configured SMTP. */
  mail?: MailSettings;
  /** Outgoing survey texts; absent unless a provider is configured (SMS_PROVIDER). */
  sms?: SmsSettings;
  /** Dashboard views kept per registry version. */
  views: ViewCache;
  /** Worker threads for CPU-heavy pure work; without one (CLI, tests) it runs in line. */
  compute?: ComputePool;
  /** Admits database-heavy requests (views, exports) a few at a time; none in tests. */
  heavy?: Gate;
  /** Gathers patients' submissions that arrive together into one statement; without it
   * (CLI, some tests) each is stored alone. */
  submissions?: SubmissionBatcher;
}

export interface UserActor {
  kind: 'user';
  user: User;
}

export function scopeOf(actor: UserActor): SiteScope {
  return { siteId: actor.user.siteId };
}

export function requireRole(actor: UserActor, roles: readonly Role[]): void {
  if (!roles.includes(actor.user.role)) {
    throw forbidden(
      `This needs the role ${roles.join(' or ')}; you are signed in as ${actor.user.role}`,
    );
  }
}

/** Roles that may see and change identifiable patient data. */
export const CLINICAL_ROLES: readonly Role[] = ['admin', 'clinician'];
export const ALL_ROLES: readonly Role[] = ['admin', 'clinician', 'researcher'];

/** An audit row written by a signed-in staff member of their own site. */
export function auditUser(
  q: Queryable,
  actor: UserActor,
  action: string,
  entity: string,
  entityId: string | null,
  patientId: string | null,
  detail?: Record<string, unknown>,
  /** Personal values (a date of death…), kept apart from the row and erasable with the patient. */
  personal?: Record<string, unknown>,
) {
  return appendAudit(q, {
    siteId: actor.user.siteId,
    actorKind: 'user',
    actorUserId: actor.user.id,
    action,
    entity,
    entityId,
    patientId,
    ...(detail ? { detail } : {}),
    ...(personal ? { personal } : {}),
  });
}
