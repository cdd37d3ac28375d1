import { spread, type Spread } from './stats.js';

/**
 * What a benchmark run produces: a flat list of rows (one figure, one path, min/median/max over the runs),
 * the targets of issue 7 judged against them, free-form notes, and each scenario's raw data for the JSON.
 */

export type PathName = 'bastion' | 'ssh2-direct' | 'ssh2-default' | 'openssh-direct' | 'relay' | 'direct' | 'browser';

export interface Row {
  scenario: string;
  metric: string;
  path: PathName;
  unit: string;
  value: Spread;
  /** Lower is better (latency, CPU, memory) or higher (throughput). */
  better: 'lower' | 'higher';
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (quick mode, or the scenario failed). */
  met: boolean | null;
}

export class Results {
  readonly rows: Row[] = [];
  readonly targets: TargetCheck[] = [];
  readonly notes: string[] = [];
  readonly errors: string[] = [];
  readonly raw: Record<string, unknown> = {};

  add(scenario: string, metric: string, path: PathName, unit: string, values: readonly number[], better: Row['better'] = 'lower'): Spread {
    const value = spread(values);
    this.rows.push({ scenario, metric, path, unit, value, better });
    return value;
  }

  find(scenario: string, metric: string, path: PathName): Spread | undefined {
    return this.rows.find((r) => r.scenario === scenario && r.metric === metric && r.path === path)?.value;
  }

  /** Records a target; `met` is judged on medians, NaN inputs count as not measured. */
  target(target: string, measured: string, met: boolean | undefined, ...inputs: number[]): void {
    this.targets.push({ target, measured, met: inputs.some((v) => !Number.isFinite(v)) || met === undefined ? null : met });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** A scenario that threw: recorded (and the run fails at the end), the other scenarios still run. */
  error(scenario: string, err: unknown): void {
    this.errors.push(`${scenario}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Errors grouped by kind (fingerprints, numbers and ids blanked), most frequent first: "12 × connect: …". */
export function groupErrors(errors: readonly string[], max = 4): string {
  const groups = new Map<string, number>();
  for (const e of errors) {
    const key = e.replace(/SHA256:[A-Za-z0-9+/=]+/g, 'SHA256:…').replace(/\bsession -?\d+/g, 'session #').slice(0, 240);
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, max).map(([k, n]) => `${n} × ${k}`).join('; ');
}

export const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits)) : 'n/a');
