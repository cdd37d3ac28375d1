import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Results, type Row, type TargetCheck } from '../lib/results.js';
import { writeReport, type RunMeta } from './markdown.js';

/**
 * Rewrites report.md and chart.svg of an earlier run from its results.json (after a change to the report
 * or the chart, without measuring again): `node dist/bench/bench/report/rerender.js bench/results/<date>`.
 * `--docs` also refreshes docs/benchmarks.md and docs/benchmarks.svg from that run.
 */

const dir = resolve(process.argv[2] ?? '');
const saved = JSON.parse(readFileSync(resolve(dir, 'results.json'), 'utf8')) as { meta: RunMeta; rows: Row[]; targets: TargetCheck[]; notes: string[]; errors: string[] };
const r = new Results();
r.rows.push(...saved.rows);
r.targets.push(...saved.targets);
r.notes.push(...saved.notes);
r.errors.push(...saved.errors);
writeReport(dir, saved.meta, r, { docs: process.argv.includes('--docs') && !saved.meta.quick });
console.log(`bench: rewrote ${dir}/{report.md,chart.svg}${process.argv.includes('--docs') ? ' and docs/benchmarks.{md,svg}' : ''}`);
