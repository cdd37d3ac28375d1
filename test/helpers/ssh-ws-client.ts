import { request as httpsRequest } from 'node:https';
import { MAX_FRAME } from '../../packages/protocol/src/ssh-messages.js';
import { loadWebSocket, type WsClient } from './ws-client.js';

/**
 * A browser-like client of the bastion's HTTPS API and browser-SSH WebSocket, for integration tests:
 * cookie + CSRF sign-in, connect tickets, and a terminal that acknowledges output (at once, or slowly).
 */

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface BrowserSession {
  cookie: string;
  csrf: string;
}

export class BastionClient {
  /** `base` like https://127.0.0.1:8443; requests carry it as their Origin. */
  constructor(readonly base: string) {}

  request(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; who?: BrowserSession } = {}): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const auth = opts.who ? { cookie: opts.who.cookie, 'x-csrf-token': opts.who.csrf } : {};
      const req = httpsRequest(
        `${this.base}${path}`,
        { method, rejectUnauthorized: false, timeout: 15_000, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), origin: this.base, ...auth, ...(opts.headers ?? {}) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async signIn(username: string, password: string): Promise<BrowserSession> {
    const res = await this.request('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`sign-in as ${username}: ${res.status} ${res.body}`);
    const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('bastion_session='));
    if (!setCookie) throw new Error('no session cookie');
    return { cookie: setCookie.split(';')[0]!, csrf: (JSON.parse(res.body) as { csrfToken: string }).csrfToken };
  }

  /** POST …/bastionSsh; throws unless 201. */
  async ticket(who: BrowserSession, vmPath: string, username: string, auth: unknown): Promise<{ ticket: string; url: string }> {
    const res = await this.request('POST', `/api${vmPath}/bastionSsh`, { body: { username, auth }, who });
    if (res.status !== 201) throw new Error(`ticket for ${vmPath}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as { ticket: string; url: string };
  }

  async terminal(url: string, who: BrowserSession, headers: Record<string, string> = {}): Promise<WsTerm> {
    const ctor = await loadWebSocket();
    return new WsTerm(new ctor(`${this.base.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin: this.base, ...headers }, maxPayload: MAX_FRAME }));
  }
}


export type ControlMessage = { type: string; [k: string]: unknown };

/** A terminal: JSON controls, the tail of the output, byte counts, and acks (immediate unless `slowAck`). */
export class WsTerm {
  messages: ControlMessage[] = [];
  text = '';
  received = 0;
  closeCode: number | undefined;
  error: Error | undefined;
  /** The HTTP status when the upgrade itself was refused. */
  refusedStatus: number | undefined;
  /** Output received and not acknowledged yet (with `slowAck`). */
  pendingAck = 0;
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(readonly ws: WsClient) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return void this.messages.push(JSON.parse(data.toString('utf8')) as ControlMessage);
      const n = data.length - 1;
      this.received += n;
      this.text = (this.text + data.subarray(1).toString('latin1')).slice(-16_384);
      if (this.ackTimer) this.pendingAck += n;
      else this.send({ type: 'ack', bytes: n });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      clearInterval(this.ackTimer);
    });
    ws.on('error', (err) => (this.error = err));
    ws.on('unexpected-response', (_req, res) => {
      this.refusedStatus = res.statusCode;
      this.closeCode = -1;
    });
  }

  /** From now on, acknowledge at most `bytes` every `everyMs` (a slow screen). */
  slowAck(bytes: number, everyMs: number): void {
    this.ackTimer = setInterval(() => {
      const n = Math.min(this.pendingAck, bytes);
      if (n > 0 && this.ws.readyState === 1) {
        this.pendingAck -= n;
        this.send({ type: 'ack', bytes: n });
      }
    }, everyMs);
  }

  /** Back to acknowledging everything at once. */
  fastAck(): void {
    clearInterval(this.ackTimer);
    this.ackTimer = undefined;
    if (this.pendingAck > 0) this.send({ type: 'ack', bytes: this.pendingAck });
    this.pendingAck = 0;
  }

  message(type: string): ControlMessage | undefined {
    return this.messages.find((m) => m.type === type);
  }

  async until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
    const start = Date.now();
    while (!done()) {
      if (Date.now() - start > timeoutMs)
        throw new Error(`timed out waiting for ${what}; messages ${JSON.stringify(this.messages)}, close ${this.closeCode}, error ${this.error?.message}, screen ${JSON.stringify(this.text.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits for `ready` (or fails with the `error` the server sent). */
  async ready(): Promise<ControlMessage> {
    await this.until('ready', () => this.message('ready') !== undefined || this.message('error') !== undefined || this.closeCode !== undefined);
    const ready = this.message('ready');
    if (!ready) throw new Error(`no ready: ${JSON.stringify(this.messages)} close ${this.closeCode}`);
    return ready;
  }

  input(text: string): void {
    this.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]));
  }

  send(message: object): void {
    if (this.ws.readyState === 1) this.ws.send(JSON.stringify(message));
  }

  /** Types a command and waits for the screen to match (output only, not the echo, if `pattern` says so). */
  async run(command: string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    this.text = '';
    this.input(`${command}\r`);
    await this.until(String(pattern), () => pattern.test(this.text), timeoutMs);
  }

  /** A known prompt, so a test can tell when the shell is idle. */
  async prompt(): Promise<void> {
    await this.run(`PS1='bst''-ready> '`, /bst-ready> $/);
  }
}
