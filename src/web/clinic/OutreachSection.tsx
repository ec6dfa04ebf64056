import { useEffect, useState } from 'react';
import { MODE_LABELS, type Mode } from '../../core/outreach/modes.ts';
import type { OutreachSummary } from '../../core/outreach/summary.ts';
import { api } from '../api.ts';
import { Reflow } from '../ui/Reflow.tsx';

const percent = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const CHANNEL_WORDS: Record<string, string> = { email: 'e-mail', sms: 'text', phone: 'call' };
const channels = (c: string) =>
  c === 'none'
    ? 'none (link handed over)'
    : c
        .split('+')
        .map((x) => CHANNEL_WORDS[x] ?? x)
        .join(' + ');

/** Completeness by how patients answered and how they were asked, and response after each message. */
export function OutreachSection() {
  const [data, setData] = useState<OutreachSummary | null>(null);
  useEffect(() => {
    api<OutreachSummary>('GET', '/report/outreach')
      .then(setData)
      .catch(() => setData(null));
  }, []);
  if (!data || data.timepoints.length === 0) return null;
  const modes = (data.timepoints[0]?.byMode ?? []).map((m) => m.mode);
  return (
    <section aria-labelledby="outreach-heading">
      <h2 id="outreach-heading">How patients answered</h2>
      <p>
        Completeness per time point split by mode: each mode's answers as a share of the joints
        whose window has closed or that answered. The modes add up to the completeness.
      </p>
      <Reflow>
        <table className="outreach-modes">
          <thead>
            <tr>
              <th scope="col">Time point</th>
              <th scope="col">Completeness</th>
              {modes.map((m) => (
                <th key={m} scope="col">
                  {MODE_LABELS[m as Mode]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.timepoints.map((t) => (
              <tr key={t.timepoint}>
                <td>{t.label}</td>
                <td>{percent(t.completeness)}</td>
                {t.byMode.map((m) => (
                  <td key={m.mode}>
                    {percent(m.share)} ({m.completed})
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Reflow>
      <h3>By the channels each link went out on</h3>
      <Reflow>
        <table className="outreach-channels">
          <thead>
            <tr>
              <th scope="col">Time point</th>
              <th scope="col">Channels</th>
              <th scope="col">Links</th>
              <th scope="col">Answered</th>
            </tr>
          </thead>
          <tbody>
            {data.timepoints.flatMap((t) =>
              t.byChannel.map((c) => (
                <tr key={`${t.timepoint}-${c.channels}`}>
                  <td>{t.label}</td>
                  <td>{channels(c.channels)}</td>
                  <td>{c.links}</td>
                  <td>
                    {percent(c.share)} ({c.completed})
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </Reflow>
      {data.afterEachMessage.length > 0 && (
        <>
          <h3>Answered after each message</h3>
          <p>
            Links answered after a message and before the next one (an e-mail and a text sent
            together count once).
          </p>
          <Reflow>
            <table className="outreach-messages">
              <thead>
                <tr>
                  <th scope="col">Message</th>
                  <th scope="col">Links reached</th>
                  <th scope="col">Answered before the next</th>
                </tr>
              </thead>
              <tbody>
                {data.afterEachMessage.map((m) => (
                  <tr key={m.message}>
                    <td>{m.message}</td>
                    <td>{m.reached}</td>
                    <td>
                      {percent(m.rate)} ({m.answeredBefore})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Reflow>
        </>
      )}
    </section>
  );
}
