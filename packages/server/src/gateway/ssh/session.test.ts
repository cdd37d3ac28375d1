import { EventEmitter } from 'node:events';
import type { Client, ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { SshShellSession } from './session.js';

/** Records pause()/resume() calls; 'data' is emitted by the test. */
class FakeStream extends EventEmitter {
  calls: string[] = [];
  pause(): this {
    this.calls.push('pause');
    return this;
  }
  resume(): this {
    this.calls.push('resume');
    return this;
  }
}

class FakeChannel extends FakeStream {
  stderr = new FakeStream();
  writable = true;
  close(): void {}
  write(): boolean {
    return true;
  }
  setWindow(): void {}
}

class FakeClient extends EventEmitter {
  end(): void {}
  destroy(): void {}
}

function open(flow = { highWaterMark: 100, lowWaterMark: 10 }) {
  const channel = new FakeChannel();
  const session = new SshShellSession(new FakeClient() as unknown as Client, channel as unknown as ClientChannel, { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' }, { host: '10.0.0.1', port: 22 }, flow);
  session.onData(() => undefined);
  return { channel, session };
}

describe('SshShellSession flow control', () => {
  it('pauses above the high-water mark and resumes below the low one', () => {
    const { channel, session } = open();
    channel.emit('data', Buffer.alloc(101));
    expect(channel.calls).toEqual(['pause']);
    session.ack(50);
    expect(channel.calls).toEqual(['pause']);
    session.ack(45);
    expect(channel.calls).toEqual(['pause', 'resume']);
    expect(channel.stderr.calls).toEqual(['pause', 'resume']);
  });

  it('holdOutput pauses on its own, and output resumes only when neither the hold nor the window asks', () => {
    const { channel, session } = open();
    session.holdOutput(true);
    expect(channel.calls).toEqual(['pause']);
    channel.emit('data', Buffer.alloc(101)); // the window pauses too: no second pause()
    session.holdOutput(false); // still above the window's marks
    expect(channel.calls).toEqual(['pause']);
    session.ack(101);
    expect(channel.calls).toEqual(['pause', 'resume']);
    session.holdOutput(false);
    expect(channel.calls).toEqual(['pause', 'resume']);
  });

  it('does not resume a closed session', () => {
    const { channel, session } = open();
    session.holdOutput(true);
    session.close();
    session.holdOutput(false);
    expect(channel.calls).toEqual(['pause']);
  });
});
