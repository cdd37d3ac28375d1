import { describe, expect, it } from 'vitest';
import { Histogram, LabelledCounter, renderMetrics } from './prometheus.js';

describe('Prometheus text format', () => {
  it('writes HELP, TYPE and samples, escaping label values', () => {
    const c = new LabelledCounter<'kind'>(['kind']);
    c.inc({ kind: 'a"b\\c\nd' }, 2);
    const text = renderMetrics([{ name: 'x_total', help: 'Line one\nline two', type: 'counter', samples: c.samples() }]);
    expect(text).toBe('# HELP x_total Line one\\nline two\n# TYPE x_total counter\nx_total{kind="a\\"b\\\\c\\nd"} 2\n');
  });

  it('histograms are cumulative, with +Inf, _sum and _count', () => {
    const h = new Histogram([0.1, 1], 'protocol');
    h.observe('ssh', 0.05);
    h.observe('ssh', 0.5);
    h.observe('ssh', 3);
    const text = renderMetrics([{ name: 'd_seconds', help: 'h', type: 'histogram', samples: h.samples() }]);
    expect(text).toContain('d_seconds_bucket{protocol="ssh",le="0.1"} 1\n');
    expect(text).toContain('d_seconds_bucket{protocol="ssh",le="1"} 2\n');
    expect(text).toContain('d_seconds_bucket{protocol="ssh",le="+Inf"} 3\n');
    expect(text).toContain('d_seconds_sum{protocol="ssh"} 3.55\n');
    expect(text).toContain('d_seconds_count{protocol="ssh"} 3\n');
  });
});
