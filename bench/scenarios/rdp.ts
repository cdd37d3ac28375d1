import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connectionRequest, parseConnectionConfirm, readTpkt } from '../../packages/server/src/gateway/rdp/x224.js';
import { credSspNegotiate, mcsConnectInitial, RdpRelayClient, requestPdu, type WsCtor } from '../../test/helpers/rdp-client.js';
import type { TestbedInfo, TestbedVm } from '../../test/helpers/testbed.js';
import { startGateway, type Gateway } from '../lib/gateway.js';
import { fmt, groupErrors, type Results } from '../lib/results.js';
import { nowMs, pool, sleep } from '../lib/stats.js';

/**
 * Scenario 5 without a browser: the RDCleanPath exchange (what IronRDP does first) and relays held open.
 * After the relay's answer each client sends the first real RDP PDU (MCS Connect Initial for xrdp and
 * weston, a CredSSP NEGOTIATE for the NLA VM) and waits for the VM's answer, so every held relay is a live
 * TLS session with the VM; it then stays open, idle, as the connection sequence of a client that has not
 * gone on. A busy screen (CPU per MB relayed) needs a real RDP client: the browser scenario measures it.
 */

export interface RdpOptions {
  connects: number;
  counts: number[];
  /** Runs per N. */
  runs: number;
  holdSeconds: number;
  busySeconds: number;
}

const RDP_VMS = ['vm-xrdp', 'vm-weston', 'vm-nla'];
let Ws: WsCtor | undefined;

interface Relay {
  client: RdpRelayClient;
  responseMs: number;
}

/** Token → WebSocket → RDCleanPath request → response, timed from the WebSocket's creation. */
async function openRelay(gw: Gateway, vm: TestbedVm, firstPdu: boolean): Promise<Relay> {
  Ws ??= ((await import('ws' as string)) as { WebSocket: WsCtor }).WebSocket;
  const res = await gw.client.request('POST', `/api${gw.vmPath(vm.name)}/bastionRdp`, { body: {}, who: gw.session });
  if (res.status !== 201) throw new Error(`RDP token for ${vm.name}: ${res.status} ${res.body}`);
  const t = JSON.parse(res.body) as { token: string; proxyUrl: string; destination: string };
  const t0 = nowMs();
  const client = new RdpRelayClient(new Ws(t.proxyUrl, { rejectUnauthorized: false, perMessageDeflate: false, headers: { cookie: gw.session.cookie, origin: gw.url } }));
  // Event-driven: the request goes on `open` and the answer is stamped in a listener registered after the
  // client's own (which has parsed the message by then); RdpRelayClient.until polls every 20 ms.
  let answeredAt: number | undefined;
  client.ws.on('open', () => client.ws.send(requestPdu(t.destination, t.token, 3)));
  client.ws.on('message', () => void (answeredAt ??= client.response || client.responseError ? nowMs() : undefined));
  await client.until('the RDCleanPath response', () => client.response !== undefined || client.responseError !== undefined || client.closeCode !== undefined, 30_000);
  const responseMs = (answeredAt ?? nowMs()) - t0;
  if (!client.response || client.response.error) {
    client.ws.terminate();
    throw new Error(`${vm.name}: no RDCleanPath success: ${JSON.stringify(client.response?.error ?? client.responseError ?? client.closeCode)}`);
  }
  if (firstPdu) {
    const confirm = parseConnectionConfirm(client.response.x224ConnectionPdu!);
    const selected = confirm.kind === 'accepted' ? confirm.selectedProtocol : 0;
    client.ws.send(selected & 2 ? credSspNegotiate() : mcsConnectInitial(selected));
    await client.until(`${vm.name}'s answer through the relay`, () => client.after.length > 0 || client.closeCode !== undefined, 30_000);
    if (client.after.length === 0) throw new Error(`${vm.name}: relay closed (${client.closeCode}) before the VM answered`);
  }
  return { client, responseMs };
}

/** Direct baseline: what the relay does itself toward the VM (TCP, X.224 request/confirm, TLS handshake). */
function directHandshake(vm: TestbedVm): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const socket = netConnect({ host: vm.ip, port: vm.rdp!.port });
    let buf = Buffer.alloc(0);
    const fail = (e: Error): void => (socket.destroy(), reject(e));
    socket.setTimeout(15_000, () => fail(new Error(`${vm.name}: direct X.224/TLS timed out`)));
    socket.on('error', fail);
    socket.once('connect', () => socket.write(connectionRequest(3, 'vmuser')));
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const tpkt = readTpkt(buf);
      if (tpkt.kind === 'incomplete') return;
      socket.off('data', onData);
      if (tpkt.kind === 'invalid') return fail(new Error(tpkt.error));
      const tls = tlsConnect({ socket, rejectUnauthorized: false }, () => {
        const ms = nowMs() - t0;
        tls.destroy();
        resolve(ms);
      });
      tls.on('error', fail);
    };
    socket.on('data', onData);
  });
}

export async function rdpRelay(r: Results, tb: TestbedInfo, o: RdpOptions): Promise<void> {
  const vms = RDP_VMS.map((n) => tb.vms.find((v) => v.name === n)).filter((v): v is TestbedVm => v?.rdp != null);
  // 1. Response time, per VM (each VM's TLS stack dominates), through the relay and direct.
  const gw = await startGateway(tb);
  try {
    for (const vm of vms) {
      const relayed: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < o.connects; i++) {
        const { client, responseMs } = await openRelay(gw, vm, false);
        relayed.push(responseMs);
        client.ws.close();
        direct.push(await directHandshake(vm));
        await sleep(50);
      }
      r.add('rdp', `RDCleanPath response ${vm.name}`, 'relay', 'ms', relayed);
      r.add('rdp', `X.224 + TLS handshake ${vm.name}`, 'direct', 'ms', direct);
    }
  } finally {
    await gw.stop();
  }
  // 2. N relays held open: RSS per session, `runs` times per N, in a bastion started fresh every time.
  const outcomes: Array<{ n: number; live: number; errors: string[]; rssPerSessionKb: number; rssPeakMb: number; cpuPercent: number }> = [];
  for (const n of o.counts.flatMap((n) => Array<number>(o.runs).fill(n))) {
    const g = await startGateway(tb);
    try {
      await sleep(500);
      const base = g.sample();
      const opened = await pool(n, 12, (i) => openRelay(g, vms[i % vms.length]!, true));
      const errors = opened.flatMap((x) => (x.status === 'rejected' ? [`open: ${(x.reason as Error).message}`] : []));
      const relays = opened.flatMap((x) => (x.status === 'fulfilled' ? [x.value.client] : []));
      const cpu0 = g.sample().cpuSeconds;
      const t0 = nowMs();
      let peak = g.sample().rssBytes;
      for (let s = 0; s < o.holdSeconds; s++) {
        await sleep(1000);
        peak = Math.max(peak, g.sample().rssBytes);
      }
      const cpuPercent = ((g.sample().cpuSeconds - cpu0) / ((nowMs() - t0) / 1000)) * 100;
      const closed = relays.filter((c) => c.closeCode !== undefined);
      if (closed.length) errors.push(`${closed.length} relays closed while held (codes ${[...new Set(closed.map((c) => c.closeCode))].join(', ')})`);
      outcomes.push({ n, live: relays.length - closed.length, errors, rssPerSessionKb: (peak - base.rssBytes) / 1024 / Math.max(1, relays.length), rssPeakMb: peak / 2 ** 20, cpuPercent });
      for (const c of relays) c.ws.terminate();
    } finally {
      await g.stop();
    }
    if (n >= 50) await sleep(2000); // the VMs' RDP servers wind the closed connections down
  }
  for (const n of o.counts) {
    const xs = outcomes.filter((x) => x.n === n);
    r.add('rdp', `N=${n} relay RSS per session`, 'relay', 'KB', xs.map((x) => x.rssPerSessionKb));
    r.add('rdp', `N=${n} gateway RSS`, 'relay', 'MB', xs.map((x) => x.rssPeakMb));
    r.add('rdp', `N=${n} gateway CPU while held`, 'relay', '% of one core', xs.map((x) => x.cpuPercent));
    r.add('rdp', `N=${n} relays live at the end of the hold`, 'relay', 'count', xs.map((x) => x.live));
    r.add('rdp', `N=${n} errors`, 'relay', 'count', xs.map((x) => x.errors.length));
    const errors = xs.flatMap((x) => x.errors);
    if (errors.length) r.note(`RDP N=${n}: ${errors.length} errors over ${xs.length} runs: ${groupErrors(errors)}`);
  }
  const rss = r.find('rdp', 'N=200 relay RSS per session', 'relay');
  const errs = r.find('rdp', 'N=200 errors', 'relay');
  const live = r.find('rdp', 'N=200 relays live at the end of the hold', 'relay');
  r.target(
    '200 concurrent RDP relays with ≤ 512 KB per session',
    rss && errs && live ? `${fmt(rss.median)} KB/session, ${fmt(live.min)}/200 live (worst run), ${fmt(errs.max)} errors (worst run)` : 'not run (N=200 not in this run)',
    rss && errs ? rss.median <= 512 && errs.max === 0 : undefined,
    rss?.median ?? NaN,
  );
  r.raw.rdpRelays = outcomes;
}
