import type { MessageKind, MessageTemplate } from '../core/messages/templates.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface StoredTemplate extends MessageTemplate {
  language: string;
  kind: MessageKind;
}

export function listTemplates(q: Queryable, scope: SiteScope): Promise<StoredTemplate[]> {
  return q.query<StoredTemplate>(
    'select language, kind, subject, body from message_templates where site_id = $1 order by language, kind',
    [scope.siteId],
  );
}

export async function saveTemplate(
  q: Queryable,
  scope: SiteScope,
  t: StoredTemplate,
): Promise<void> {
  await q.query(
    `insert into message_templates (site_id, language, kind, subject, body) values ($1, $2, $3, $4, $5)
     on conflict (site_id, language, kind) do update set subject = excluded.subject, body = excluded.body, updated_at = now()`,
    [scope.siteId, t.language, t.kind, t.subject, t.body],
  );
}
