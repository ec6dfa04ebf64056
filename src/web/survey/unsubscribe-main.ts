/**
 * Opened from a survey e-mail (/unsubscribe/TOKEN), in plain DOM like the survey; asks before
 * acting, so a mail scanner's visit changes nothing. It reads the patient's language first.
 */
import { EN } from '../../core/i18n/en.ts';
import { type PatientLanguage, type Translate, translator } from '../../core/i18n/translate.ts';
import { ApiError, api } from '../api.ts';
import { h, patch } from './dom.ts';
import '../styles.css';

const token = /^\/unsubscribe\/([A-Za-z0-9_.-]+)$/.exec(window.location.pathname)?.[1] ?? '';
const root = document.getElementById('root');
let state: 'loading' | 'ask' | 'busy' | 'done' = 'loading';
let error = '';
let shown: HTMLElement | null = null;
let t: Translate = translator('en', EN);

/** A failed call in the patient's words; the server's own message is English and for staff. */
function errorText(e: unknown): string {
  return e instanceof ApiError && e.status === 404
    ? t('unsubscribe.invalid')
    : t('unsubscribe.failed');
}

async function confirm() {
  state = 'busy';
  render();
  try {
    await api('POST', `/unsubscribe/${encodeURIComponent(token)}`);
    state = 'done';
  } catch (e) {
    error = errorText(e);
    state = 'ask';
  }
  render();
}

function screen(): HTMLElement {
  return h(
    'main',
    { class: 'page survey' },
    h('h1', null, t('unsubscribe.title')),
    state === 'done'
      ? h('p', { role: 'status' }, t('unsubscribe.done'))
      : [
          h('p', null, t('unsubscribe.body')),
          error && h('p', { class: 'form-error', role: 'alert' }, error),
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              onClick: () => void confirm(),
              disabled: state !== 'ask',
            },
            t('unsubscribe.button'),
          ),
        ],
  );
}

function render() {
  const next = screen();
  if (shown) patch(shown, next);
  else {
    root?.replaceChildren(next);
    shown = next;
  }
}

render();
api<{ language: PatientLanguage }>('GET', `/unsubscribe/${encodeURIComponent(token)}`)
  .then(({ language }) => {
    t = translator(language.locale, language.messages, EN);
    document.documentElement.lang = language.locale;
    document.documentElement.dir = language.dir;
    document.title = t('unsubscribe.title');
  })
  .catch((e: unknown) => {
    error = errorText(e);
  })
  .finally(() => {
    state = 'ask';
    render();
  });
