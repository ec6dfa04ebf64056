/**
 * The patient's survey (/s/TOKEN) in plain DOM, its own entry so a survey link loads no React
 * and no charts: screens are rebuilt from the state on each change and patched into the page.
 * Its choices (wording, order, scales) live in src/core and survey-screens.ts.
 */
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
import { EN } from '../../core/i18n/en.ts';
import { type PatientLanguage, type Translate, translator } from '../../core/i18n/translate.ts';
import type { InstrumentDefinition } from '../../core/instruments/definition.ts';
import { jointPhrase, sectionHeading } from '../../core/instruments/patient-wording.ts';
import { repeatedItems } from '../../core/instruments/shared-items.ts';
import { PATIENT_EVENT_KINDS } from '../../core/registry/event-kinds.ts';
import { ApiError, api } from '../api.ts';
import { h, patch } from './dom.ts';
import {
  asksLaterEvents,
  eventsToSend,
  type LaterEventDates,
  type NumericScale,
  nextLabel,
  numericScale,
} from './survey-screens.ts';
import '../styles.css';

type Draft = Record<string, Record<string, number | null>>;

interface SurveyData {
  timepoint: string;
  timepointLabel: string;
  /** The joint the survey is about; null only if its record could not be read. */
  joint: { joint: string; side: string } | null;
  instruments: InstrumentDefinition[];
  draft: Draft;
  /** The patient's language: only its catalogue, chosen by the server. */
  language?: PatientLanguage;
  /** Present when a clinician handed this survey over on a clinic tablet. */
  tablet?: { idleSeconds: number };
}

interface Question {
  instrument: InstrumentDefinition;
  /** The form's own section title (e.g. KOOS "Symptoms"); the patient reads `sectionHeading` of it. */
  sectionTitle: string;
  sectionTitleInLanguage: string | undefined;
  intro: string | undefined;
  code: string;
  text: string;
  options: { value: number; label: string }[];
}

type SaveState = 'idle' | 'saving' | 'saved' | 'failed';
type Stage =
  | { kind: 'intro' }
  | { kind: 'question'; index: number }
  | { kind: 'review' }
  | { kind: 'done' }
  /** A clinic tablet's end: the survey was sent or left idle; nothing more is shown. */
  | { kind: 'locked'; reason: 'idle' | 'done' | null };

const SAVE_DELAY_MS = 400;

/** Every question to ask, in order; an item an earlier questionnaire already asks is asked once. */
function questionsOf(instruments: InstrumentDefinition[]): Question[] {
  const repeated = repeatedItems(instruments);
  return instruments.flatMap((instrument) =>
    instrument.sections.flatMap((section) =>
      section.items
        .filter((item) => !repeated.get(instrument.id)?.has(item.code))
        .map((item) => ({
          instrument,
          sectionTitle: section.title,
          sectionTitleInLanguage: section.titleInLanguage,
          intro: section.intro,
          code: item.code,
          text: item.text,
          options: instrument.responseSets[item.responseSet] ?? [],
        })),
    ),
  );
}

const state = {
  data: null as SurveyData | null,
  loadError: null as ApiError | null,
  questions: [] as Question[],
  answers: {} as Draft,
  stage: { kind: 'intro' } as Stage,
  saveState: 'idle' as SaveState,
  submitError: null as ApiError | null,
  submitting: false,
  laterEvents: {} as LaterEventDates,
  ownTrajectory: [] as OwnTrajectory[],
};
let pending: ReturnType<typeof setTimeout> | null = null;

const root = document.getElementById('root');
const token = /^\/s\/([A-Za-z0-9_-]+)$/.exec(window.location.pathname)?.[1] ?? '';
/** The path a locked tablet shows: the survey's link leaves the address bar and history. */
const LOCKED_PATH = '/s/locked';
let idleTimer: ReturnType<typeof setTimeout> | null = null;
// A text message's link ends in ?via=sms, so the answers are recorded as given from a text.
const via = new URLSearchParams(window.location.search).get('via') === 'sms' ? 'sms' : undefined;
let shown: HTMLElement | null = null;
// English until the server sends the patient's catalogue with the survey.
let t: Translate = translator('en', EN);

/** Speaks the patient's language from now on, and sets the page's language and direction. */
function useLanguage(language: PatientLanguage | undefined) {
  if (!language) return;
  t = translator(language.locale, language.messages, EN);
  document.documentElement.lang = language.locale;
  document.documentElement.dir = language.dir;
  document.title = t('survey.intro.title', { timepoint: state.data?.timepoint ?? '' });
}

/** A failed call in the patient's words; the server's own message is English and for staff. */
function errorText(error: ApiError): string {
  if (error.status === 0) return t('survey.error.network');
  if (error.status === 404) return t('survey.error.notFound');
  if (error.status === 410) return t('survey.error.closed');
  if (error.status === 400 || error.status === 422) return t('survey.error.invalid');
  return t('survey.error.send');
}

/** Shows the screen for the state now; a new stage moves focus to its heading, as React did. */
function render(stageChanged = false) {
  // The thank-you page and a locked tablet are final; charts are added, never redrawn.
  if (!root || shown?.dataset.stage === 'done' || shown?.dataset.stage === 'locked') return;
  const next = screen();
  next.dataset.stage = state.stage.kind;
  if (
    shown &&
    shown.tagName === next.tagName &&
    state.stage.kind !== 'done' &&
    state.stage.kind !== 'locked'
  )
    patch(shown, next);
  else {
    root.replaceChildren(next);
    shown = next;
  }
  if (stageChanged && state.stage.kind !== 'intro')
    shown.querySelector<HTMLElement>('h1[tabindex]')?.focus();
}

function setStage(stage: Stage) {
  state.stage = stage;
  render(true);
}

function answeredCount(): number {
  return state.questions.filter((q) => typeof state.answers[q.instrument.id]?.[q.code] === 'number')
    .length;
}

async function save() {
  pending = null;
  state.saveState = 'saving';
  render();
  try {
    await api('PUT', `/survey/${token}/draft`, { answers: state.answers });
    state.saveState = 'saved';
  } catch {
    state.saveState = 'failed';
  }
  render();
}

function answer(q: Question, value: number) {
  state.answers = {
    ...state.answers,
    [q.instrument.id]: { ...state.answers[q.instrument.id], [q.code]: value },
  };
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => void save(), SAVE_DELAY_MS);
  render();
}

async function submit() {
  if (pending) clearTimeout(pending);
  state.submitting = true;
  state.submitError = null;
  render();
  try {
    const events = asksLaterEvents(state.data?.timepoint ?? '')
      ? eventsToSend(state.laterEvents)
      : [];
    const reply = await api<{ trajectory: OwnTrajectory[] }>('POST', `/survey/${token}/submit`, {
      answers: state.answers,
      ...(events.length > 0 ? { events } : {}),
      ...(via ? { via } : {}),
    });
    state.ownTrajectory = reply.trajectory ?? [];
    state.submitting = false;
    if (state.data?.tablet) return void lockTablet('done');
    setStage({ kind: 'done' });
    void drawCharts();
  } catch (e) {
    state.submitError = e instanceof ApiError ? e : new ApiError(0, String(e));
    state.submitting = false;
    render();
  }
}

/**
 * Locks a clinic tablet: saves any answer not yet sent, ends the tablet's link on the server,
 * takes the link out of the address bar and history, and shows the locked screen.
 */
async function lockTablet(reason: 'idle' | 'done') {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (pending) {
    clearTimeout(pending);
    await save();
  }
  try {
    await api('POST', `/survey/${token}/lock`, { reason });
  } catch {
    // The link also lapses on its own within the hour; the screen locks regardless.
  }
  window.history.replaceState(null, '', LOCKED_PATH);
  setStage({ kind: 'locked', reason });
}

/** Restarts the idle countdown on every touch, key or scroll while a tablet shows the survey. */
function watchIdle(seconds: number) {
  const restart = () => {
    if (state.stage.kind === 'locked') return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void lockTablet('idle'), seconds * 1000);
  };
  for (const type of ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart'])
    window.addEventListener(type, restart, { passive: true, capture: true });
  restart();
}

function lockedScreen(reason: 'idle' | 'done' | null): HTMLElement {
  return h(
    'main',
    { class: 'survey tablet-locked' },
    h('h1', { tabindex: '-1' }, t('tablet.locked.title')),
    reason === 'done' && h('p', null, t('tablet.locked.done')),
    reason === 'idle' && h('p', null, t('tablet.locked.idle')),
    h('p', { class: 'tablet-handback' }, t('tablet.locked.handBack')),
    h('p', null, h('a', { href: '/' }, t('tablet.locked.staffSignIn'))),
  );
}

function screen(): HTMLElement {
  const { data, loadError } = state;
  if (state.stage.kind === 'locked') return lockedScreen(state.stage.reason);
  if (loadError) {
    return h(
      'main',
      { class: 'survey' },
      h('h1', null, loadError.status === 410 ? t('survey.closed.title') : t('survey.error.title')),
      h('p', { role: 'alert' }, errorText(loadError)),
    );
  }
  if (!data) return h('main', { class: 'survey' }, h('p', null, t('survey.loading')));
  const questions = state.questions;
  const answered = answeredCount();
  const joint = jointPhrase(t, data.joint?.joint, data.joint?.side);
  const stage = state.stage;

  if (stage.kind === 'intro') {
    const firstUnanswered = questions.findIndex(
      (q) => typeof state.answers[q.instrument.id]?.[q.code] !== 'number',
    );
    const minutes = Math.max(1, Math.round(questions.length / 6));
    return h(
      'main',
      { class: 'survey' },
      h('h1', null, t('survey.intro.title', { timepoint: data.timepoint })),
      data.tablet &&
        h(
          'p',
          { class: 'tablet-note' },
          t('tablet.note', { minutes: Math.round(data.tablet.idleSeconds / 60) }),
        ),
      h('p', null, t('survey.intro.body', { count: questions.length, joint, minutes })),
      answered > 0 &&
        h('p', null, t('survey.intro.progress', { answered, total: questions.length })),
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onClick: () =>
            setStage(
              firstUnanswered === -1
                ? { kind: 'review' }
                : { kind: 'question', index: firstUnanswered },
            ),
        },
        answered > 0 ? t('survey.continue') : t('survey.start'),
      ),
    );
  }

  if (stage.kind === 'done') {
    const charted = state.ownTrajectory.filter((t) => t.points.length > 1);
    return h(
      'main',
      { class: 'survey' },
      h('h1', { tabindex: -1 }, t('survey.done.title')),
      h('p', null, t('survey.done.body')),
      charted.length > 0 && h('p', null, t('survey.done.charts')),
      charted.length > 0 && h('div', { class: 'own-charts' }),
    );
  }

  if (stage.kind === 'review') {
    const missing = questions
      .map((q, i) => ({ q, i }))
      .filter(({ q }) => typeof state.answers[q.instrument.id]?.[q.code] !== 'number');
    const error = state.submitError;
    return h(
      'main',
      { class: 'survey' },
      h('h1', { tabindex: -1 }, t('survey.review.title')),
      h('p', null, t('survey.review.answered', { answered, total: questions.length })),
      missing.length > 0 && [
        h('p', null, t('survey.review.missing')),
        h(
          'ul',
          { class: 'missing' },
          missing.slice(0, 20).map(({ q, i }) =>
            h(
              'li',
              null,
              h(
                'button',
                {
                  type: 'button',
                  class: 'link-button',
                  onClick: () => setStage({ kind: 'question', index: i }),
                },
                `${i + 1}. ${q.text}`,
              ),
            ),
          ),
        ),
      ],
      asksLaterEvents(data.timepoint) && laterEvents(new Date().toISOString().slice(0, 10)),
      error && h('p', { class: 'form-error', role: 'alert' }, errorText(error)),
      h(
        'div',
        { class: 'nav-buttons' },
        h(
          'button',
          {
            type: 'button',
            onClick: () => setStage({ kind: 'question', index: questions.length - 1 }),
          },
          t('survey.back'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onClick: () => void submit(),
            disabled: state.submitting || answered === 0,
          },
          state.submitting ? t('survey.review.sending') : t('survey.review.send'),
        ),
      ),
    );
  }

  const index = stage.index;
  const q = questions[index];
  if (!q) return h('main', { class: 'survey' });
  const current = state.answers[q.instrument.id]?.[q.code];
  const isAnswered = typeof current === 'number';
  const name = `${q.instrument.id}-${q.code}`;
  const scale = numericScale(q.options);
  const goNext = () =>
    setStage(
      index + 1 < questions.length ? { kind: 'question', index: index + 1 } : { kind: 'review' },
    );
  const saveText = {
    idle: '',
    saving: t('survey.save.saving'),
    saved: t('survey.save.saved'),
    failed: t('survey.save.failed'),
  }[state.saveState];
  return h(
    'main',
    { class: 'survey' },
    h(
      'div',
      { class: 'progress-row' },
      h('progress', {
        max: questions.length,
        value: index + 1,
        'aria-label': t('survey.questionOf', { index: index + 1, total: questions.length }),
      }),
      h('span', { class: 'muted' }, `${index + 1} / ${questions.length}`),
    ),
    h('p', { class: 'muted save-state', 'aria-live': 'polite' }, saveText),
    h(
      'h1',
      { tabindex: -1, class: 'section-title' },
      sectionHeading(t, q.instrument.id, q.sectionTitle, joint, q.sectionTitleInLanguage),
    ),
    q.intro && h('p', { class: 'intro' }, q.intro),
    h('p', { class: 'question-text', id: `${name}-text` }, q.text),
    h(
      'div',
      { class: 'question', role: 'radiogroup', 'aria-labelledby': `${name}-text` },
      scale
        ? scaleRow(scale, name, current, (value) => answer(q, value))
        : h(
            'div',
            { class: 'options' },
            q.options.map((o) =>
              h(
                'label',
                { class: current === o.value ? 'option chosen' : 'option' },
                h('input', {
                  type: 'radio',
                  name,
                  value: o.value,
                  checked: current === o.value,
                  onChange: () => answer(q, o.value),
                }),
                h('span', null, o.label),
              ),
            ),
          ),
    ),
    h(
      'div',
      { class: 'nav-buttons' },
      h(
        'button',
        {
          type: 'button',
          onClick: () =>
            setStage(index === 0 ? { kind: 'intro' } : { kind: 'question', index: index - 1 }),
        },
        t('survey.back'),
      ),
      h(
        'button',
        { type: 'button', class: 'primary', onClick: goNext, disabled: !isAnswered },
        t(nextLabel(index, questions.length)),
      ),
    ),
    !isAnswered &&
      h(
        'p',
        { class: 'skip-row' },
        h('button', { type: 'button', class: 'link-button', onClick: goNext }, t('survey.skip')),
      ),
  );
}

/**
 * A numeric rating scale as one row of numbers with its anchor words under the two ends, as
 * the 11-point NRS is validated; native radios, so arrow keys move along the row.
 */
function scaleRow(
  scale: NumericScale,
  name: string,
  current: number | null | undefined,
  onChoose: (value: number) => void,
): HTMLElement[] {
  const row = h(
    'div',
    { class: 'scale-row' },
    scale.points.map((p) =>
      h(
        'label',
        { class: current === p.value ? 'scale-point chosen' : 'scale-point' },
        h('input', {
          type: 'radio',
          name,
          value: p.value,
          checked: current === p.value,
          onChange: () => onChoose(p.value),
          'aria-label': p.label,
        }),
        h('span', { 'aria-hidden': 'true' }, p.value),
      ),
    ),
  );
  if (!scale.lowAnchor && !scale.highAnchor) return [row];
  // Said already in the end points' names; shown for sighted readers.
  return [
    row,
    h(
      'div',
      { class: 'scale-anchors', 'aria-hidden': 'true' },
      h('span', null, scale.lowAnchor ?? ''),
      h('span', null, scale.highAnchor ?? ''),
    ),
  ];
}

/** "Since your treatment…": optional dates of later events, sent with the answers. */
function laterEvents(today: string): HTMLElement {
  const value = state.laterEvents;
  const change = (next: LaterEventDates) => {
    state.laterEvents = next;
    render();
  };
  return h(
    'fieldset',
    { class: 'later-events' },
    h('legend', null, t('survey.events.legend')),
    PATIENT_EVENT_KINDS.map((k) => {
      const id = `event-${k.code}`;
      const checked = value[k.code] !== undefined;
      return h(
        'div',
        { class: 'later-event' },
        h(
          'label',
          null,
          h('input', {
            type: 'checkbox',
            checked,
            onChange: (e) => {
              const next = { ...value };
              if ((e.target as HTMLInputElement).checked) next[k.code] = '';
              else delete next[k.code];
              change(next);
            },
          }),
          ` ${t(`survey.event.${k.code}`)}`,
        ),
        checked &&
          h(
            'label',
            { for: id, class: 'event-date' },
            `${t('survey.events.when')} `,
            h('input', {
              id,
              type: 'date',
              max: today,
              value: value[k.code] ?? '',
              onInput: (e) => change({ ...value, [k.code]: (e.target as HTMLInputElement).value }),
            }),
          ),
      );
    }),
  );
}

/** The patient's own lines, drawn once the thank-you page is up; Plot loads only now. */
async function drawCharts() {
  const charted = state.ownTrajectory.filter((t) => t.points.length > 1);
  const box = shown?.querySelector('.own-charts');
  if (!box || charted.length === 0) return;
  const { ownTrajectoryChart } = await import('./own-chart.ts');
  box.replaceWith(...charted.map((line) => ownTrajectoryChart(line, t)));
}

// Save at once if the page is being left with an answer not yet sent; a tablet left for
// another page ends its link, so going back does not reopen the survey.
window.addEventListener('pagehide', () => {
  if (pending) {
    clearTimeout(pending);
    void save();
  }
  if (state.data?.tablet && state.stage.kind !== 'locked')
    void fetch(`/api/survey/${token}/lock`, {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'left' }),
    }).catch(() => undefined);
});

if (window.location.pathname === LOCKED_PATH) {
  state.stage = { kind: 'locked', reason: null };
  render();
} else {
  render();
  api<SurveyData>('GET', `/survey/${token}`)
    .then((d) => {
      state.data = d;
      useLanguage(d.language);
      state.answers = d.draft;
      state.questions = questionsOf(d.instruments);
      if (d.tablet) watchIdle(d.tablet.idleSeconds);
      render();
    })
    .catch((e: unknown) => {
      state.loadError = e instanceof ApiError ? e : new ApiError(0, String(e));
      render();
    });
}
