import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import ssh2 from 'ssh2';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryConfigSchema } from '../../packages/server/src/config/schema.js';
import {
  RDP_PROTOCOL,
  execInVm,
  probeTcp,
  readTestbed,
  run,
  runTestbed,
  testbedVm,
  x224Probe,
  type TestbedInfo,
} from '../helpers/testbed.js';

/**
 * The testbed itself, proven with real traffic: the bastion side (this process, on the host) reaches the
 * VMs' sshd and RDP servers; the VMs' NSGs keep everyone else out; VMs have no way out of the VNet.
 * The last block cycles up/down, leaving the testbed up for the integration tests that follow.
 */

interface SshResult {
  output: string;
  hostKey: Buffer<ArrayBufferLike>;
}

/** One real SSH login with the ssh2 package; runs `command`, returns its output and the server's host key. */
function sshRun(options: ssh2.ConnectConfig, command: string): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let hostKey: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    client
      .on('ready', () => {
        client.exec(command, (err, stream) => {
          if (err) return reject(err);
          let output = '';
          stream.on('data', (d: Buffer) => (output += d.toString()));
          stream.stderr.on('data', (d: Buffer) => (output += d.toString()));
          stream.on('close', () => {
            client.end();
            resolve({ output, hostKey });
          });
        });
      })
      .on('error', reject)
      .connect({
        port: 22,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          hostKey = key;
          return true;
        },
        ...options,
      });
  });
}

/** The raw key blob of an "ssh-ed25519 AAAA…" line. */
function keyBlob(publicKeyLine: string): Buffer {
  return Buffer.from(publicKeyLine.split(' ')[1] ?? '', 'base64');
}

describe('testbed', () => {
  let tb: TestbedInfo;
  beforeAll(() => {
    tb = readTestbed();
  });

  describe('outputs', () => {
    it('testbed.json describes the bastion, the user and five VMs', () => {
      expect(tb.bastionAddress).toBe('10.90.0.4');
      expect(tb.user).toBe('vmuser');
      expect(tb.password).toBe('Vm-Pass-123');
      expect(readFileSync(tb.clientKeyPath, 'utf8')).toContain('OPENSSH PRIVATE KEY');
      expect(tb.vms.map((v) => [v.name, v.namespace, v.ip, v.services.join(',')])).toEqual([
        ['vm-ssh', 'bst-vm-ssh', '10.90.1.4', 'ssh'],
        ['vm-ssh2', 'bst-vm-ssh2', '10.90.1.5', 'ssh'],
        ['vm-xrdp', 'bst-vm-xrdp', '10.90.1.6', 'ssh,rdp'],
        ['vm-nla', 'bst-vm-nla', '10.90.1.7', 'ssh,rdp'],
        ['vm-weston', 'bst-vm-weston', '10.90.1.8', 'ssh,rdp'],
      ]);
    });

    it('inventory.yaml is a valid Bastion inventory section for the same machines', () => {
      const doc = parseYaml(readFileSync(tb.inventoryPath, 'utf8')) as { inventory: unknown };
      expect(Object.keys(doc)).toEqual(['inventory']);
      const errors = [...Value.Errors(InventoryConfigSchema, doc.inventory)].map((e) => `${e.path}: ${e.message}`);
      expect(errors).toEqual([]);
      const inv = doc.inventory as {
        subscription: { id: string };
        virtualNetworks: { name: string; addressSpace: string[]; subnets: { name: string; addressPrefix: string }[] }[];
        virtualMachines: { name: string; osType: string; tags: Record<string, string>; nics: { name: string; subnet: string; privateIpAddress: string }[] }[];
        bastionHosts: { name: string; virtualNetwork: string }[];
      };
      expect(inv.subscription.id).toBe('00000000-0000-0000-0000-000000000000');
      expect(inv.virtualNetworks).toMatchObject([
        {
          name: 'vnet-testbed',
          addressSpace: ['10.90.0.0/16'],
          subnets: [
            { name: 'AzureBastionSubnet', addressPrefix: '10.90.0.0/26' },
            { name: 'snet-vms', addressPrefix: '10.90.1.0/24' },
          ],
        },
      ]);
      expect(inv.bastionHosts).toMatchObject([{ name: 'bastion-testbed', virtualNetwork: 'vnet-testbed' }]);
      for (const vm of tb.vms) {
        const entry = inv.virtualMachines.find((v) => v.name === vm.name);
        expect(entry, vm.name).toMatchObject({
          osType: vm.name === 'vm-nla' ? 'windows' : 'linux',
          tags: { services: vm.services.join(',') },
          nics: [{ name: `${vm.name}-nic`, subnet: 'snet-vms', privateIpAddress: vm.ip }],
        });
      }
    });
  });

  describe('SSH from the bastion side', () => {
    it('vm-ssh: password login over real SSH lands on vm-ssh, with the host key from testbed.json', async () => {
      const vm = testbedVm(tb, 'vm-ssh');
      const r = await sshRun({ host: vm.ip, username: tb.user, password: tb.password }, 'hostname');
      expect(r.output.trim()).toBe('vm-ssh');
      expect(r.hostKey.equals(keyBlob(vm.sshHostPublicKey))).toBe(true);
    });

    it('vm-ssh: public-key login with the client key', async () => {
      const vm = testbedVm(tb, 'vm-ssh');
      const r = await sshRun({ host: vm.ip, username: tb.user, privateKey: readFileSync(tb.clientKeyPath) }, 'hostname; id -un');
      expect(r.output.trim().split('\n')).toEqual(['vm-ssh', 'vmuser']);
    });

    it('a wrong password is refused', async () => {
      const vm = testbedVm(tb, 'vm-ssh');
      await expect(sshRun({ host: vm.ip, username: tb.user, password: 'wrong-password' }, 'true')).rejects.toThrow(/authentication/i);
    });

    it('every VM runs sshd under its own hostname and host key', async () => {
      const keys = new Set<string>();
      for (const vm of tb.vms) {
        const r = await sshRun({ host: vm.ip, username: tb.user, privateKey: readFileSync(tb.clientKeyPath) }, 'hostname');
        expect(r.output.trim(), vm.name).toBe(vm.name);
        keys.add(r.hostKey.toString('base64'));
      }
      expect(keys.size).toBe(tb.vms.length);
    });
  });

  describe('isolation', () => {
    it('vm-ssh:22 is reachable from the bastion but not from vm-ssh2 (the NSG drops it)', async () => {
      const vm = testbedVm(tb, 'vm-ssh');
      expect(await probeTcp('host', vm.ip, 22)).toMatchObject({ open: true });
      const fromVm2 = await probeTcp(testbedVm(tb, 'vm-ssh2').namespace, vm.ip, 22);
      expect(fromVm2).toMatchObject({ open: false, outcome: 'timeout' });
      // and RDP of another VM is just as closed to vm-ssh2
      expect(await probeTcp('bst-vm-ssh2', testbedVm(tb, 'vm-xrdp').ip, 3389)).toMatchObject({ open: false });
    });

    it("the host's loopback 127.0.0.1:22 is not vm-ssh", async () => {
      const probe = await probeTcp('host', '127.0.0.1', 22);
      if (!probe.open) return expect(probe.outcome).toBe('refused');
      // Some sshd listens on the host: it must not be the VM's (compare host keys).
      let hostKey: Buffer<ArrayBufferLike> = Buffer.alloc(0);
      await sshRun({ host: '127.0.0.1', username: 'nobody', password: 'x', readyTimeout: 5000, hostVerifier: (k: Buffer) => ((hostKey = k), true) }, 'true').catch(
        () => undefined,
      );
      expect(hostKey.length).toBeGreaterThan(0);
      expect(hostKey.equals(keyBlob(testbedVm(tb, 'vm-ssh').sshHostPublicKey))).toBe(false);
    });

    it('VMs cannot open connections to the bastion host (they may only answer)', async () => {
      const server: Server = createServer((s) => s.end());
      await new Promise<void>((resolve) => server.listen(0, tb.bastionAddress, resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        expect(await probeTcp('host', tb.bastionAddress, port)).toMatchObject({ open: true });
        expect(await probeTcp('bst-vm-ssh', tb.bastionAddress, port)).toMatchObject({ open: false, outcome: 'timeout' });
      } finally {
        server.close();
      }
    });

    it('a VM has no route out of the VNet', async () => {
      const routes = await execInVm('vm-ssh', 'ip -4 route');
      expect(routes.stdout).not.toMatch(/default/);
      expect(routes.stdout).toContain('10.90.0.0/16 dev eth0');
      const out = await execInVm('vm-ssh', 'ip route get 1.1.1.1');
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/unreachable/i);
      // not even the host's own uplink address
      const uplink = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.90.'));
      if (uplink) expect(await probeTcp('bst-vm-ssh', uplink.address, 22)).toMatchObject({ open: false, outcome: 'unreachable' });
    });

    it('execInVm runs inside the VM (hostname, address, private /tmp)', async () => {
      const r = await execInVm('vm-xrdp', 'hostname; ip -4 -o addr show dev eth0; findmnt -n -o FSTYPE /tmp');
      expect(r.code).toBe(0);
      const [hostname, addr, tmpfs] = r.stdout.trim().split('\n');
      expect(hostname).toBe('vm-xrdp');
      expect(addr).toContain('10.90.1.6/24');
      expect(tmpfs).toBe('tmpfs');
    });
  });

  describe('RDP from the bastion side', () => {
    it('vm-xrdp: xrdp answers the X.224 Connection Request and selects TLS', async () => {
      const vm = testbedVm(tb, 'vm-xrdp');
      expect(vm.rdp?.security).toBe('tls');
      expect(await x224Probe(vm.ip, 3389, RDP_PROTOCOL.SSL | RDP_PROTOCOL.HYBRID)).toEqual({ kind: 'response', selectedProtocol: RDP_PROTOCOL.SSL });
    });

    it('vm-nla: freerdp-shadow selects NLA (HYBRID) and refuses TLS without NLA', async () => {
      const vm = testbedVm(tb, 'vm-nla');
      expect(vm.rdp?.security).toBe('nla');
      expect(await x224Probe(vm.ip, 3389, RDP_PROTOCOL.SSL | RDP_PROTOCOL.HYBRID)).toEqual({ kind: 'response', selectedProtocol: RDP_PROTOCOL.HYBRID });
      // 5 = HYBRID_REQUIRED_BY_SERVER
      expect(await x224Probe(vm.ip, 3389, RDP_PROTOCOL.SSL)).toEqual({ kind: 'failure', failureCode: 5 });
    });

    it('vm-weston: weston selects TLS', async () => {
      const vm = testbedVm(tb, 'vm-weston');
      expect(vm.rdp).toMatchObject({ security: 'tls', desktopColor: '#2e8e5e', bannerText: 'BASTION-TESTBED-WESTON-OK' });
      expect(await x224Probe(vm.ip, 3389, RDP_PROTOCOL.SSL | RDP_PROTOCOL.HYBRID)).toEqual({ kind: 'response', selectedProtocol: RDP_PROTOCOL.SSL });
    });

    it('RDP is closed to other VMs, and absent on the SSH-only VMs', async () => {
      expect(await probeTcp('bst-vm-ssh', testbedVm(tb, 'vm-nla').ip, 3389)).toMatchObject({ open: false, outcome: 'timeout' });
      expect(await probeTcp('host', testbedVm(tb, 'vm-ssh').ip, 3389)).toMatchObject({ open: false, outcome: 'refused' });
    });
  });

  describe('lifecycle (runs last; leaves the testbed up for the next test files)', () => {
    afterAll(async () => {
      // Whatever happened above, hand the testbed back up.
      const r = await runTestbed('up');
      if (r.code !== 0) throw new Error(`testbed up failed:\n${r.stderr}`);
    });

    it('up on a running testbed keeps it working', async () => {
      const again = await runTestbed('up');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('already up');
      expect((await runTestbed('status')).code).toBe(0);
      const vm = testbedVm(tb, 'vm-ssh');
      expect((await sshRun({ host: vm.ip, username: tb.user, password: tb.password }, 'hostname')).output.trim()).toBe('vm-ssh');
    });

    it('up adds a VM that is missing from a running testbed, leaving the others alone', async () => {
      const anchors = () => tb.vms.filter((v) => v.name !== 'vm-weston').map((v) => readFileSync(`${v.stateDir}/init.pid`, 'utf8'));
      const before = anchors();
      // Remove vm-weston by hand (its processes, then its namespace), as if it had been added to the table since.
      const pids = (await run('ip', ['netns', 'pids', 'bst-vm-weston'])).stdout.split('\n').filter(Boolean);
      if (pids.length > 0) await run('kill', ['-KILL', ...pids]);
      await new Promise((r) => setTimeout(r, 200));
      expect((await run('ip', ['netns', 'del', 'bst-vm-weston'])).code).toBe(0);
      const up = await runTestbed('up');
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toContain('adding VMs missing from the running testbed: vm-weston');
      expect(anchors()).toEqual(before);
      expect((await runTestbed('status')).code).toBe(0);
      expect(await x224Probe(testbedVm(tb, 'vm-weston').ip)).toEqual({ kind: 'response', selectedProtocol: RDP_PROTOCOL.SSL });
    });

    it('down twice is harmless and leaves nothing behind; up brings it back', async () => {
      for (let i = 0; i < 2; i++) {
        const down = await runTestbed('down');
        expect(down.code, down.stderr).toBe(0);
      }
      expect((await run('ip', ['netns', 'list'])).stdout).not.toMatch(/\bbst-/);
      expect((await run('ip', ['link', 'show', 'bstbr0'])).code).not.toBe(0);
      expect((await run('nft', ['list', 'table', 'inet', 'bastion_testbed'])).code).not.toBe(0);
      const status = await runTestbed('status');
      expect(status.code).toBe(1);
      expect(status.stdout).toContain('NOT UP');

      const up = await runTestbed('up');
      expect(up.code, up.stderr).toBe(0);
      expect((await runTestbed('status')).code).toBe(0);
      const vm = testbedVm(readTestbed(), 'vm-nla');
      expect((await sshRun({ host: vm.ip, username: tb.user, privateKey: readFileSync(tb.clientKeyPath) }, 'hostname')).output.trim()).toBe('vm-nla');
      expect(await x224Probe(vm.ip)).toEqual({ kind: 'response', selectedProtocol: RDP_PROTOCOL.HYBRID });
    });
  });
});
