/**
 * Opened from a survey e-mail (/unsubscribe/TOKEN), in plain DOM like the survey; asks before
 * acting, so a mail scanner's visit changes nothing.
 */
import { ApiError, api } from '../api.ts';
import { h, patch } from './dom.ts';
import '../styles.css';

const token = /^\/unsubscribe\/([A-Za-z0-9_.-]+)$/.exec(window.location.pathname)?.[1] ?? '';
const root = document.getElementById('root');
let state: 'ask' | 'busy' | 'done' = 'ask';
let error = '';
let shown: HTMLElement | null = null;

async function confirm() {
  state = 'busy';
  render();
  try {
    await api('POST', `/unsubscribe/${encodeURIComponent(token)}`);
    state = 'done';
  } catch (e) {
    error = e instanceof ApiError ? e.message : String(e);
    state = 'ask';
  }
  render();
}

function screen(): HTMLElement {
  return h(
    'main',
    { class: 'page survey' },
    h('h1', null, 'Stop questionnaire e-mails'),
    state === 'done'
      ? h('p', { role: 'status' }, 'Done: your clinic will send you no more questionnaire e-mails.')
      : [
          h(
            'p',
            null,
            'Your clinic will no longer e-mail you questionnaires. You can still answer any link you already have.',
          ),
          error && h('p', { class: 'form-error', role: 'alert' }, error),
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              onClick: () => void confirm(),
              disabled: state === 'busy',
            },
            'Stop the e-mails',
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
