import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envOverrides, loadConfig } from './load.js';

const writeYaml = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'bastion-cfg-')), 'bastion.yaml');
  writeFileSync(file, text);
  return file;
};
const loadError = (text: string, env: NodeJS.ProcessEnv = {}): string => {
  try {
    loadConfig({ file: writeYaml(text), env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('loadConfig', () => {
  it('applies built-in defaults when the file is empty', () => {
    const { config } = loadConfig({ file: writeYaml(''), env: {} });
    expect(config.server.port).toBe(8443);
    expect(config.dataDir).toBe('./data');
  });

  it('names the key and the value of a bad port', () => {
    expect(loadError('server:\n  port: abc\n')).toMatch(/server\.port: .*integer.*"abc"/);
    expect(loadError('server:\n  port: 70000\n')).toMatch(/server\.port: .*65535/);
  });

  it('refuses unknown keys (typos) by name', () => {
    expect(loadError('sever:\n  port: 1\n')).toMatch(/sever: unknown key/);
    expect(loadError('server:\n  prot: 1\n')).toMatch(/server\.prot: unknown key/);
  });

  it('explains YAML syntax errors', () => {
    expect(loadError('server: [\n')).toMatch(/not valid YAML/);
  });

  it('names a bad inventory entry', () => {
    expect(loadError('inventory:\n  virtualMachines:\n    - name: vm1\n      resourceGroup: rg\n      osType: beos\n      nics: []\n')).toMatch(
      /inventory\.virtualMachines\.0\.(osType|nics)/,
    );
  });

  it('lets the environment override the file', () => {
    const { config } = loadConfig({ file: writeYaml('server:\n  port: 9000\n'), env: { BASTION_SERVER__PORT: '9443', BASTION_DATA_DIR: '/srv/b' } });
    expect(config.server.port).toBe(9443);
    expect(config.dataDir).toBe('/srv/b');
  });

  it('reports a bad environment value by its key', () => {
    expect(loadError('', { BASTION_LOG__LEVEL: 'loud' })).toMatch(/log\.level/);
  });

  it('ignores BASTION_* variables that belong to other tools', () => {
    expect(envOverrides({ BASTION_TESTBED_DIR: '/tmp/x', BASTION_SERVER__HOST: '::' })).toEqual({ server: { host: '::' } });
  });
});
