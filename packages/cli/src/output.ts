/** Result printing in the manner of `az`: indented JSON by default, or an aligned table. */
export type OutputFormat = 'json' | 'table';
export const OUTPUT_FORMATS: OutputFormat[] = ['json', 'table'];

/** Table columns: header → value of one row (arrays are joined with ", "). */
export type Columns<T> = Record<string, (row: T) => unknown>;

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** Columns for rows nobody described: their scalar and array fields, header capitalised. */
function defaultColumns(rows: unknown[]): Columns<unknown> {
  const cols: Columns<unknown> = {};
  for (const row of rows)
    if (row && typeof row === 'object')
      for (const [key, value] of Object.entries(row))
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          cols[key.charAt(0).toUpperCase() + key.slice(1)] ??= (r) => (r as Record<string, unknown>)[key];
  return cols;
}

export function renderTable<T>(rows: T[], columns?: Columns<T>): string {
  if (rows.length === 0) return '';
  const cols = Object.entries(columns ?? (defaultColumns(rows) as Columns<T>));
  const body = rows.map((r) => cols.map(([, get]) => cell(get(r))));
  const widths = cols.map(([h], i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function formatResult<T>(value: T | T[], format: OutputFormat, columns?: Columns<T>): string {
  if (format === 'table') return renderTable(Array.isArray(value) ? value : [value], columns);
  return JSON.stringify(value, null, 2) + '\n';
}
