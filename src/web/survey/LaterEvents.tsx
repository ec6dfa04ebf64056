import { PATIENT_EVENT_KINDS, type PatientEventKind } from '../../core/registry/events.ts';

export type LaterEventDates = Partial<Record<PatientEventKind, string>>;

/** "Since your treatment…": optional dates of later events, sent with the answers. */
export function LaterEvents({
  value,
  onChange,
  today,
}: {
  value: LaterEventDates;
  onChange: (next: LaterEventDates) => void;
  today: string;
}) {
  return (
    <fieldset className="later-events">
      <legend>Since your treatment, has any of this happened? (optional)</legend>
      {PATIENT_EVENT_KINDS.map((k) => {
        const id = `event-${k.code}`;
        const checked = value[k.code] !== undefined;
        return (
          <div key={k.code} className="later-event">
            <label>
              <input
                type="checkbox"
                checked={checked}
                onChange={(e) => {
                  const next = { ...value };
                  if (e.target.checked) next[k.code] = '';
                  else delete next[k.code];
                  onChange(next);
                }}
              />{' '}
              {k.label}
            </label>
            {checked && (
              <label htmlFor={id} className="event-date">
                When?{' '}
                <input
                  id={id}
                  type="date"
                  max={today}
                  value={value[k.code] ?? ''}
                  onChange={(e) => onChange({ ...value, [k.code]: e.target.value })}
                />
              </label>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

/** The events to send: only those with a date. */
export function eventsToSend(value: LaterEventDates): { kind: PatientEventKind; date: string }[] {
  return Object.entries(value)
    .filter(([, date]) => Boolean(date))
    .map(([kind, date]) => ({ kind: kind as PatientEventKind, date: date as string }));
}
