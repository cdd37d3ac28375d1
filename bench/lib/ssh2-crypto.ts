import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO } from './gateway.js';

/**
 * Which crypto path the installed ssh2 takes — the bastion child process loads the same node_modules, so
 * this is the gateway's too. ssh2 loads its optional native binding (lib/protocol/crypto/build/Release/
 * sshcrypto.node, built by its install script with node-gyp) in a try/catch and falls back to JavaScript
 * ciphers silently; the fallback writes each SSH packet in several pieces (issue 20). cpu-features (also
 * optional, native) only reorders the cipher preference. The report states both at the top, so that a
 * run measures — and says — what a user's `npm ci` produced.
 */
export interface Ssh2Crypto {
  nativeBinding: boolean;
  cpuFeatures: boolean;
  /** Cipher negotiated with the testbed's sshd, when a direct connection was made in this run. */
  cipher?: string | undefined;
}

export function ssh2Crypto(): Ssh2Crypto {
  const require = createRequire(join(REPO, 'package.json'));
  const crypto = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };
  let cpuFeatures = false;
  try {
    require('cpu-features');
    cpuFeatures = true;
  } catch {
    // not built (allowScripts) or not installed: ssh2 then keeps its default cipher order
  }
  return { nativeBinding: crypto.bindingAvailable === true, cpuFeatures };
}

/** One line for the top of the report. */
export function describeSsh2Crypto(c: Ssh2Crypto): string {
  const path = c.nativeBinding ? 'native binding (sshcrypto.node loaded)' : '**JavaScript fallback: the native binding sshcrypto.node is not built**';
  return `ssh2 crypto path: ${path}; cpu-features ${c.cpuFeatures ? 'loaded' : 'not loaded'}${c.cipher ? `; cipher negotiated with the testbed's sshd: ${c.cipher}` : ''}.`;
}
