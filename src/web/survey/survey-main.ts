/**
 * The patient's survey (/s/TOKEN) in plain DOM, its own entry so a survey link loads no React
 * and no charts: screens are rebuilt from the state on each change and patched into the page.
 * Its choices (wording, order, scales) live in src/core and survey-screens.ts.
 */
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
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
  /** Present when a clinician handed this survey over on a clinic tablet. */
  tablet?: { idleSeconds: number };
}

interface Question {
  instrument: InstrumentDefinition;
  /** The form's own section title (e.g. KOOS "Symptoms"); the patient reads `sectionHeading` of it. */
  sectionTitle: string;
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
    h('h1', { tabindex: '-1' }, 'This tablet is locked'),
    reason === 'done' && h('p', null, 'Thank you: your answers have been sent to your clinic.'),
    reason === 'idle' &&
      h(
        'p',
        null,
        'It locked itself because it was not used for a while. Your answers so far are saved.',
      ),
    h('p', { class: 'tablet-handback' }, 'Please hand the tablet back to the clinic staff.'),
    h('p', null, h('a', { href: '/' }, 'Staff: sign in')),
  );
}

function screen(): HTMLElement {
  const { data, loadError } = state;
  if (state.stage.kind === 'locked') return lockedScreen(state.stage.reason);
  if (loadError) {
    return h(
      'main',
      { class: 'survey' },
      h(
        'h1',
        null,
        loadError.status === 410 ? 'This link is closed' : 'We could not open this survey',
      ),
      h(
        'p',
        { role: 'alert' },
        loadError.status === 404
          ? 'This survey link is not valid. Please check the link in your e-mail, or ask your clinic for a new one.'
          : loadError.message,
      ),
    );
  }
  if (!data) return h('main', { class: 'survey' }, h('p', null, 'Loading your survey…'));
  const questions = state.questions;
  const answered = answeredCount();
  const joint = jointPhrase(data.joint?.joint, data.joint?.side);
  const stage = state.stage;

  if (stage.kind === 'intro') {
    const firstUnanswered = questions.findIndex(
      (q) => typeof state.answers[q.instrument.id]?.[q.code] !== 'number',
    );
    const minutes = Math.max(1, Math.round(questions.length / 6));
    return h(
      'main',
      { class: 'survey' },
      h('h1', null, `Your ${data.timepointLabel.toLowerCase()} check-in`),
      data.tablet &&
        h(
          'p',
          { class: 'tablet-note' },
          `This tablet shows only your questionnaire. It locks itself after ${Math.round(data.tablet.idleSeconds / 60)} minutes without a touch; hand it back to the staff when you are done.`,
        ),
      h(
        'p',
        null,
        `${questions.length} short questions about ${joint}, about ${minutes} minutes. Your answers are saved as you go: ${data.tablet ? 'if the tablet locks, the staff can open it again for you.' : 'you can stop and come back with the same link.'}`,
      ),
      answered > 0 && h('p', null, `You have answered ${answered} of ${questions.length} so far.`),
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
        answered > 0 ? 'Continue' : 'Start',
      ),
    );
  }

  if (stage.kind === 'done') {
    const charted = state.ownTrajectory.filter((t) => t.points.length > 1);
    return h(
      'main',
      { class: 'survey' },
      h('h1', { tabindex: -1 }, 'Thank you'),
      h('p', null, 'Your answers have been sent to your clinic. You can close this page.'),
      charted.length > 0 &&
        h(
          'p',
          null,
          'Your scores so far, against where you started. A change on one day can be chance; your clinic looks at the whole line with you. Where published studies give one, a green line marks the smallest improvement from your start that patients called important: a guide, not a target.',
        ),
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
      h('h1', { tabindex: -1 }, 'Ready to send?'),
      h('p', null, `You answered ${answered} of ${questions.length} questions.`),
      missing.length > 0 && [
        h('p', null, 'Unanswered questions (you may leave them out, but every answer helps):'),
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
      error &&
        h(
          'p',
          { class: 'form-error', role: 'alert' },
          error.message + error.fields.map((f) => ` ${f.message}.`).join(''),
        ),
      h(
        'div',
        { class: 'nav-buttons' },
        h(
          'button',
          {
            type: 'button',
            onClick: () => setStage({ kind: 'question', index: questions.length - 1 }),
          },
          'Back',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onClick: () => void submit(),
            disabled: state.submitting || answered === 0,
          },
          state.submitting ? 'Sending…' : 'Send my answers',
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
    saving: 'Saving…',
    saved: 'Saved',
    failed: 'Not saved yet: check your connection',
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
        'aria-label': `Question ${index + 1} of ${questions.length}`,
      }),
      h('span', { class: 'muted' }, `${index + 1} / ${questions.length}`),
    ),
    h('p', { class: 'muted save-state', 'aria-live': 'polite' }, saveText),
    h(
      'h1',
      { tabindex: -1, class: 'section-title' },
      sectionHeading(q.instrument.id, q.sectionTitle, joint),
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
        'Back',
      ),
      h(
        'button',
        { type: 'button', class: 'primary', onClick: goNext, disabled: !isAnswered },
        nextLabel(index, questions.length),
      ),
    ),
    !isAnswered &&
      h(
        'p',
        { class: 'skip-row' },
        h(
          'button',
          { type: 'button', class: 'link-button', onClick: goNext },
          'Skip this question',
        ),
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
    h('legend', null, 'Since your treatment, has any of this happened? (optional)'),
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
          ` ${k.label}`,
        ),
        checked &&
          h(
            'label',
            { for: id, class: 'event-date' },
            'When? ',
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
  box.replaceWith(...charted.map((t) => ownTrajectoryChart(t)));
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
