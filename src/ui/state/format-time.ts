/** Dates on screen, in the browser's language. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
});
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

function isSameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Time of a message: the clock time for today, date and time for earlier days. */
export function formatMessageTime(timestampMs: number, now = new Date()): string {
  const date = new Date(timestampMs);

  return isSameDay(date, now) ? timeFormat.format(date) : dateTimeFormat.format(date);
}

/** Time of the last activity in the conversation list: the clock time for today, else the date. */
export function formatActivityTime(timestampMs: number, now = new Date()): string {
  const date = new Date(timestampMs);

  return isSameDay(date, now) ? timeFormat.format(date) : shortDateFormat.format(date);
}

/** Machine-readable form for the `datetime` attribute of `<time>`. */
export function toIsoTime(timestampMs: number): string {
  return new Date(timestampMs).toISOString();
}
