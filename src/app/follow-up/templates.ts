import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { DEFAULT_TEMPLATES, templateProblems } from '../../core/messages/templates.ts';
import { languageTagSchema } from '../../core/registry/language.ts';
import { parseInput } from '../../core/validation.ts';
import { listTemplates, saveTemplate } from '../../store/templates.repo.ts';
import {
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';

const templateSchema = z.strictObject({
  /** A BCP 47 tag, kept in its canonical form ("pt-br" → "pt-BR"), as the patient's is. */
  language: languageTagSchema,
  kind: z.enum(['invitation', 'reminder']),
  subject: z.string().trim().min(1, 'A subject is required').max(200),
  body: z.string().trim().min(1, 'A body is required').max(5000),
});

/** The registry's own survey e-mail wording, and StemTrack's defaults beside it. */
export async function messageTemplates(ctx: AppContext, actor: UserActor) {
  requireRole(actor, CLINICAL_ROLES);
  return { own: await listTemplates(ctx.db, scopeOf(actor)), defaults: DEFAULT_TEMPLATES };
}

/** Admins set a template per language and kind; one without the link or opt-out link is refused. */
export async function setMessageTemplate(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, ['admin']);
  const t = parseInput(templateSchema, body);
  const problems = templateProblems(t);
  if (problems.length > 0) throw invalid('The template cannot be used as it is', problems);
  await ctx.db.transaction(async (tx) => {
    await saveTemplate(tx, scopeOf(actor), t);
    await auditUser(tx, actor, 'update', 'message_template', null, null, {
      language: t.language,
      kind: t.kind,
    });
  });
  return messageTemplates(ctx, actor);
}
