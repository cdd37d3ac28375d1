import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { redactUrl, withRedactedRequests } from './log-serializers.js';

describe('redactUrl', () => {
  it.each([
    ['/api/ssh/connect?ticket=abc_DEF-123', '/api/ssh/connect?ticket=[redacted]'],
    ['/api/ssh/connect?x=1&ticket=abc&y=2', '/api/ssh/connect?x=1&ticket=[redacted]&y=2'],
    ['/api/ssh/connect?TICKET=abc#frag', '/api/ssh/connect?TICKET=[redacted]#frag'],
    ['/api/ssh/connect?ticket=', '/api/ssh/connect?ticket=[redacted]'],
    ['/api/audit?notticket=abc', '/api/audit?notticket=abc'],
    ['/api/tickets/ticket=abc', '/api/tickets/ticket=abc'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('request logs', () => {
  for (const how of ['logger options', 'logger instance'] as const) {
    it(`never contain the ticket (${how})`, async () => {
      let out = '';
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          out += chunk.toString();
          done();
        },
      });
      const logging = withRedactedRequests(how === 'logger instance' ? pino({ level: 'info' }, stream) : { level: 'info', stream });
      const app = Fastify(logging);
      app.get('/api/ssh/connect', async () => 'ok');
      await app.inject({ url: '/api/ssh/connect?ticket=SECRET-TICKET-VALUE' });
      await app.close();
      expect(out).toContain('/api/ssh/connect?ticket=[redacted]');
      expect(out).not.toContain('SECRET-TICKET-VALUE');
    });
  }
});
