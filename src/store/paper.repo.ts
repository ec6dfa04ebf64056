import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';
import type { SurveyDraft } from './surveys.repo.ts';

/** A printed form found by its short code, with what staff need to check it and enter it. */
export interface PaperForm {
  assignmentId: string;
  shortCode: string;
  patientId: string;
  registryId: string;
  episodeId: string;
  joint: string;
  side: string;
  timepoint: string;
  instruments: string[];
  completedAt: Date | null;
  expiresAt: Date;
  printedAt: Date;
}

const FORM_COLUMNS = `f.assignment_id as "assignmentId", f.short_code as "shortCode",
  a.patient_id as "patientId", p.registry_id as "registryId", a.episode_id as "episodeId",
  e.joint, e.side, a.timepoint, a.instruments, a.completed_at as "completedAt",
  a.expires_at as "expiresAt", f.printed_at as "printedAt"`;
const FORM_FROM = `paper_forms f
  join survey_assignments a on a.id = f.assignment_id
  join patients p on p.id = a.patient_id
  join joint_episodes e on e.id = a.episode_id`;

/**
 * Records a printed form: a new form gets `shortCode`; printing again keeps the form's code
 * and replaces its QR link. Returns the code the form carries.
 */
export async function savePaperForm(
  q: Queryable,
  scope: SiteScope,
  form: {
    assignmentId: string;
    shortCode: string;
    tokenDigest: string;
    printedBy: string;
    printedAt: Date;
  },
): Promise<string> {
  const [row] = await q.query<{ shortCode: string }>(
    `insert into paper_forms (assignment_id, site_id, short_code, token_digest, printed_by, printed_at)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (assignment_id) do update
       set token_digest = excluded.token_digest, printed_by = excluded.printed_by,
           printed_at = excluded.printed_at
       where paper_forms.site_id = excluded.site_id
     returning short_code as "shortCode"`,
    [
      form.assignmentId,
      scope.siteId,
      form.shortCode,
      form.tokenDigest,
      form.printedBy,
      form.printedAt,
    ],
  );
  if (!row) throw new Error('paper form of another site');
  return row.shortCode;
}

export function findPaperForm(
  q: Queryable,
  scope: SiteScope,
  shortCode: string,
): Promise<PaperForm | undefined> {
  return q
    .query<PaperForm>(
      `select ${FORM_COLUMNS} from ${FORM_FROM} where f.site_id = $1 and f.short_code = $2`,
      [scope.siteId, shortCode],
    )
    .then((r) => r[0]);
}

/** The survey a paper form's QR link opens (the link is the credential, as for e-mailed links). */
/** The survey a paper form's QR link opens, and its site (found by the link's digest). */
export function assignmentForPaperLink(
  q: Queryable,
  tokenDigest: string,
): Promise<{ siteId: string; assignmentId: string } | undefined> {
  return q
    .query<{ siteId: string; assignmentId: string }>(
      'select site_id as "siteId", assignment_id as "assignmentId" from paper_forms where token_digest = $1',
      [tokenDigest],
    )
    .then((r) => r[0]);
}

export interface PaperEntry {
  id: string;
  enteredBy: string;
  enteredByName: string;
  enteredAt: Date;
  answers: SurveyDraft;
}

export function paperEntries(
  q: Queryable,
  scope: SiteScope,
  assignmentId: string,
): Promise<PaperEntry[]> {
  return q.query<PaperEntry>(
    `select pe.id, pe.entered_by as "enteredBy", u.name as "enteredByName",
            pe.entered_at as "enteredAt", pe.answers
     from paper_entries pe join users u on u.id = pe.entered_by
     where pe.site_id = $1 and pe.assignment_id = $2 order by pe.entry`,
    [scope.siteId, assignmentId],
  );
}

export async function insertPaperEntry(
  q: Queryable,
  scope: SiteScope,
  entry: {
    assignmentId: string;
    entry: 1 | 2;
    enteredBy: string;
    enteredAt: Date;
    answers: SurveyDraft;
  },
): Promise<string> {
  const [row] = await q.query<{ id: string }>(
    `insert into paper_entries (site_id, assignment_id, entry, entered_by, entered_at, answers)
     values ($1, $2, $3, $4, $5, $6::jsonb) returning id`,
    [
      scope.siteId,
      entry.assignmentId,
      entry.entry,
      entry.enteredBy,
      entry.enteredAt,
      JSON.stringify(entry.answers),
    ],
  );
  return row?.id as string;
}

/**
 * Ends a clinic-tablet link at once (done, left idle): it is kept, expired, so opening it again
 * says the tablet is locked. Returns the survey's id, or nothing for any other token.
 */
export async function endTabletLink(
  q: Queryable,
  tokenDigest: string,
  now: Date,
): Promise<{ siteId: string; assignmentId: string } | undefined> {
  const [row] = await q.query<{ siteId: string; assignmentId: string }>(
    `update staff_survey_links set expires_at = $2
     where token_digest = $1 and mode = 'tablet' and expires_at > $2
     returning site_id as "siteId", assignment_id as "assignmentId"`,
    [tokenDigest, now],
  );
  return row;
}
