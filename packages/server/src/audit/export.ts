/**
 * Audit exports (design 0005, "Audit log"): JSON lines and CSV, one record per line, same filters as the
 * JSON API. CSV follows RFC 4180 (quotes doubled, fields with `,` `"` CR LF quoted) and is safe to open
 * in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so it is never
 * evaluated as a formula (OWASP "CSV injection").
 */

export type ExportFormat = 'jsonl' | 'csv';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: text, numbers and booleans as is, null/undefined empty, objects as JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: a header row of `columns`, then one row per item (CRLF line ends, as RFC 4180 says). */
export function toCsv<T extends object>(items: readonly T[], columns: ReadonlyArray<keyof T & string>): string {
  const rows = [columns.join(','), ...items.map((item) => columns.map((c) => csvCell(item[c])).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}

/** JSON lines: one JSON object per line (`\n`), newlines inside strings escaped by JSON itself. */
export const toJsonLines = (items: readonly object[]): string => items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : '');

/** The Content-Type and a `Content-Disposition: attachment` file name like `bastion-audit-logs-20260131T120000Z.csv`. */
export function exportHeaders(format: ExportFormat, baseName: string, now = new Date()): Record<string, string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="${baseName}-${stamp}.${format}"`,
    'cache-control': 'no-store',
  };
}
