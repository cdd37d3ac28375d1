/**
 * A dependency-free SVG chart for the benchmark report: small multiples, one panel per figure (units
 * differ), horizontal bars at the median with a min–max whisker, and the target as a dashed line.
 */

export interface Bar {
  label: string;
  median: number;
  min: number;
  max: number;
  /** Bastion bars are coloured; direct baselines are grey. */
  kind: 'bastion' | 'direct';
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
  target?: { value: number; label: string };
}

const W = 460; // panel width
const BAR_H = 22;
const LABEL_W = 150;
const PAD = 14;
const TOP = 46; // title line, then the target's label, then the bars
const COLOURS = { bastion: '#0f6cbd', direct: '#8a8886' };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number): string => (!Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** "Nice" upper bound for an axis (1, 2, 5 × 10^k). */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function panel(p: Panel, x: number, y: number): { svg: string; height: number } {
  const bars = p.bars.filter((b) => Number.isFinite(b.median));
  const height = TOP + Math.max(1, bars.length) * (BAR_H + 6) + 22;
  const plotW = W - LABEL_W - PAD * 2 - 44;
  const max = niceMax(Math.max(...bars.map((b) => b.max), p.target?.value ?? 0, 0));
  const sx = (v: number): number => x + PAD + LABEL_W + (Math.max(0, v) / max) * plotW;
  const out: string[] = [`<rect x="${x}" y="${y}" width="${W}" height="${height}" rx="6" fill="#fff" stroke="#e1dfdd"/>`];
  out.push(`<text x="${x + PAD}" y="${y + 22}" class="t">${esc(p.title)} <tspan class="u">(${esc(p.unit)})</tspan></text>`);
  bars.forEach((b, i) => {
    const by = y + TOP + i * (BAR_H + 6);
    out.push(`<text x="${x + PAD + LABEL_W - 6}" y="${by + BAR_H / 2 + 4}" class="l" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${sx(0)}" y="${by}" width="${Math.max(1, sx(b.median) - sx(0))}" height="${BAR_H}" fill="${COLOURS[b.kind]}" rx="2"/>`);
    if (b.max > b.min) out.push(`<line x1="${sx(b.min)}" x2="${sx(b.max)}" y1="${by + BAR_H / 2}" y2="${by + BAR_H / 2}" stroke="#323130" stroke-width="1.5"/>`, `<line x1="${sx(b.min)}" x2="${sx(b.min)}" y1="${by + 5}" y2="${by + BAR_H - 5}" stroke="#323130"/>`, `<line x1="${sx(b.max)}" x2="${sx(b.max)}" y1="${by + 5}" y2="${by + BAR_H - 5}" stroke="#323130"/>`);
    out.push(`<text x="${Math.max(sx(b.median), sx(b.max)) + 4}" y="${by + BAR_H / 2 + 4}" class="v">${num(b.median)}</text>`);
  });
  const axisY = y + height - 18;
  out.push(`<line x1="${sx(0)}" x2="${sx(max)}" y1="${axisY}" y2="${axisY}" stroke="#c8c6c4"/>`);
  for (const f of [0, 0.5, 1]) out.push(`<text x="${sx(max * f)}" y="${axisY + 13}" class="a" text-anchor="middle">${num(max * f)}</text>`);
  if (p.target && Number.isFinite(p.target.value)) {
    const tx = sx(p.target.value);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${y + TOP - 6}" y2="${axisY}" stroke="#c50f1f" stroke-dasharray="4 3"/>`, `<text x="${tx}" y="${y + TOP - 9}" class="g" text-anchor="middle">${esc(p.target.label)}</text>`);
  }
  return { svg: out.join(''), height };
}

/** Panels in two columns, with a title line (machine and date) on top. */
export function chartSvg(title: string, panels: Panel[]): string {
  const cols = 2;
  const parts: string[] = [];
  let y = 44;
  for (let i = 0; i < panels.length; i += cols) {
    const row = panels.slice(i, i + cols).map((p, j) => panel(p, 12 + j * (W + 12), y));
    parts.push(...row.map((r) => r.svg));
    y += Math.max(...row.map((r) => r.height)) + 12;
  }
  const width = 12 + cols * (W + 12);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Segoe UI, Helvetica, Arial, sans-serif">`,
    '<style>.t{font-size:13px;font-weight:600;fill:#242424}.u{font-weight:400;fill:#616161}.l{font-size:12px;fill:#424242}.v{font-size:11px;fill:#242424}.a{font-size:10px;fill:#707070}.g{font-size:10px;fill:#c50f1f}.h{font-size:15px;font-weight:600}.s{font-size:11px;fill:#616161}</style>',
    `<rect width="${width}" height="${y}" fill="#faf9f8"/>`,
    `<text x="12" y="22" class="h">${esc(title)}</text>`,
    `<text x="12" y="38" class="s">bars: median of the runs · whiskers: min–max · blue: through Bastion · grey: direct · red dashes: target</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
