import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { BastionClient, type WsTerm } from '../helpers/ssh-ws-client.js';
import { tcpSockets, type TcpSocketState } from '../helpers/tcp-nodelay.js';
import { readTestbed, testbedPath, testbedVm, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Keystrokes are relayed without Nagle's delay (issue 20): both sockets a browser SSH session uses — the
 * bastion's TCP connection to the VM and its TLS connection toward the browser — have TCP_NODELAY, read
 * from the kernel while the session runs. Without it on the VM side, ssh2 (without its native binding)
 * sends each keystroke's SSH packet in three writes and the kernel holds two of them until sshd's delayed
 * ACK: ~40 ms per key. The assertion is on the socket, never on a time.
 */

const PASSWORD = 'Ws-Test-Pass-123';
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let term: WsTerm | undefined;

beforeAll(async () => {
  tb = readTestbed();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  b = await createTestBastion({
    inventory,
    users: [{ username: 'typist', password: PASSWORD }],
    roleAssignments: [{ assignee: 'typist', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
  });
  client = new BastionClient(await listenOnLoopback(b.app));
});

afterAll(async () => {
  term?.ws.terminate();
  await b?.dispose();
});

describe('browser SSH session sockets', () => {
  it('has TCP_NODELAY on the connection to the VM and on the one toward the browser', async () => {
    const vm = testbedVm(tb, 'vm-ssh');
    const toVm = (s: TcpSocketState): boolean => s.remote === `${vm.ip}:22`;
    const before = new Set((await tcpSockets()).filter(toVm).map((s) => s.local));

    const who = await client.signIn('typist', PASSWORD);
    const { url } = await client.ticket(who, testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh'), tb.user, { type: 'password', password: tb.password });
    term = await client.terminal(url, who);
    await term.ready();
    await term.run('echo $((6*7))', /[\r\n]42\r?\n/); // the session works: keys reach the VM and come back

    const sockets = await tcpSockets();
    const vmSide = sockets.filter((s) => toVm(s) && !before.has(s.local));
    expect(vmSide, JSON.stringify(sockets)).toHaveLength(1);
    expect(vmSide[0]).toMatchObject({ nodelay: true });
    // The bastion's ends of the browser's connections (the WebSocket's, and the HTTPS requests' kept alive):
    // those whose local address is the listener's.
    const listener = new URL(client.base).host;
    const browserSide = sockets.filter((s) => s.local === listener);
    expect(browserSide.length, JSON.stringify(sockets)).toBeGreaterThan(0);
    for (const s of browserSide) expect(s).toMatchObject({ nodelay: true });
  });
});
