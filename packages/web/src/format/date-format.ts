/**
 * The one date format of the portal: the viewer's locale, with the time zone named, so that times read
 * the same in every table (audit log, sessions, recordings, links) and can be compared with the server
 * log or a colleague's screen in another zone.
 */

const FORMAT: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'long' };

/** An ISO timestamp as "May 1, 2024, 2:00:00 PM GMT+2"; the raw text when it is not a date. */
export const timeText = (iso: string, locale?: string, timeZone?: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(locale, timeZone ? { ...FORMAT, timeZone } : FORMAT);
};
