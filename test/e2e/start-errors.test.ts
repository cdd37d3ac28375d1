import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/bastion.mjs');

/** Runs `bastion start` with a configuration file and returns its exit code and output. */
function startWith(yaml: string, env: Record<string, string> = {}): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-badcfg-'));
  const file = join(dir, 'bastion.yaml');
  writeFileSync(file, `dataDir: ${dir}/data\n${yaml}`);
  const r = spawnSync(process.execPath, [BIN, 'start', '--config', file], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('bastion start refuses bad configuration with a message naming the key', () => {
  it('a port that is not a number', () => {
    const r = startWith('server:\n  port: eighty\n');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/server\.port: .*integer.*"eighty"/);
    expect(r.output).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
  });

  it('a misspelt key', () => {
    const r = startWith('server:\n  prot: 8443\n');
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('server.prot: unknown key');
  });

  it('an environment override with a bad value', () => {
    const r = startWith('', { BASTION_LOG__LEVEL: 'chatty' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('log.level');
  });

  it('declared inventory that breaks the network rules', () => {
    const r = startWith(`server:\n  port: 1\ninventory:
  virtualNetworks:
    - { name: vnet1, resourceGroup: rg1, addressSpace: [10.0.0.0/16], subnets: [{ name: snet1, addressPrefix: 10.0.1.0/24 }] }
  virtualMachines:
    - { name: vm1, resourceGroup: rg1, osType: linux, nics: [{ name: vm1-nic, virtualNetwork: vnet1, subnet: snet1, privateIpAddress: 10.0.2.4 }] }
`);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('inventory.virtualMachines[vm1].nics[vm1-nic]: privateIPAddress 10.0.2.4 is not inside subnet snet1 (10.0.1.0/24)');
  });

  it('a YAML syntax error', () => {
    const r = startWith('server: [oops\n');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/not valid YAML/);
  });
});
