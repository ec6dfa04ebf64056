import type { IsoDate } from '../registry/dates.ts';

/** No texts from 21:00 to 08:00 in the patient's own zone: a message at night wakes people. */
export const QUIET_HOURS = { from: 21, until: 8 } as const;

/** Local wall-clock parts of an instant in a time zone. */
function localParts(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: n('year'),
    month: n('month'),
    day: n('day'),
    hour: n('hour'),
    minute: n('minute'),
    second: n('second'),
  };
}

/** Minutes the zone is ahead of UTC at `at`. */
function offsetMinutes(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * When a text may go out: `at` itself outside quiet hours, else the next 08:00 in the zone.
 * Across a daylight-saving change the wake-up may be an hour off; the job checks again then.
 */
export function nextSendTime(
  at: Date,
  timeZone: string,
  quiet: { from: number; until: number } = QUIET_HOURS,
): Date {
  const { hour, minute, second } = localParts(at, timeZone);
  const inQuiet = hour >= quiet.from || hour < quiet.until;
  if (!inQuiet) return at;
  const hoursLeft = hour >= quiet.from ? 24 - hour + quiet.until : quiet.until - hour;
  return new Date(at.getTime() + (hoursLeft * 3600 - minute * 60 - second) * 1000);
}

/** The instant of `hour`:00 on `day` in the zone (when a day's reminder text is due). */
export function localTime(day: IsoDate, hour: number, timeZone: string): Date {
  const guess = new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  return new Date(guess.getTime() - offsetMinutes(guess, timeZone) * 60_000);
}
