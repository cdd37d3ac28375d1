/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a few metric families do not
 * justify a dependency. Pure functions and two small accumulators; the route is http/routes/metrics-routes.ts.
 */

export type Labels = Record<string, string>;

export interface Sample {
  /** Suffix after the family name (`_bucket`, `_sum`, `_count`), empty for plain samples. */
  suffix?: string;
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: Sample[];
}

/** Label values escape `\`, `"` and newlines (the format's only escapes). */
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** The families as one text document (ends with a newline, as the format requires). */
export function renderMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A counter per label set (label values joined into a key). */
export class LabelledCounter<K extends string> {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(private readonly labelNames: readonly K[]) {}

  inc(labels: Record<K, string>, by = 1): void {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    const entry = this.values.get(key) ?? { labels: { ...labels }, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  get(labels: Record<K, string>): number {
    return this.values.get(this.labelNames.map((n) => labels[n]).join('\u0000'))?.value ?? 0;
  }

  samples(): Sample[] {
    return [...this.values.values()].map((e) => ({ labels: e.labels, value: e.value }));
  }
}

/** A cumulative histogram per value of one label (`le` buckets, `_sum`, `_count`). */
export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly buckets: readonly number[],
    private readonly labelName: string,
  ) {}

  observe(labelValue: string, value: number): void {
    const s = this.series.get(labelValue) ?? { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
    this.series.set(labelValue, s);
  }

  samples(): Sample[] {
    const out: Sample[] = [];
    for (const [lv, s] of this.series) {
      this.buckets.forEach((b, i) => out.push({ suffix: '_bucket', labels: { [this.labelName]: lv, le: formatValue(b) }, value: s.counts[i]! }));
      out.push({ suffix: '_bucket', labels: { [this.labelName]: lv, le: '+Inf' }, value: s.count });
      out.push({ suffix: '_sum', labels: { [this.labelName]: lv }, value: s.sum });
      out.push({ suffix: '_count', labels: { [this.labelName]: lv }, value: s.count });
    }
    return out;
  }
}
