import { runTestbed, testbedDir } from '../helpers/testbed.js';

/**
 * vitest globalSetup of the 'integration' project: brings the testbed up before the suite (installing
 * missing Debian packages on a fresh machine) and takes it down afterwards, unless BASTION_KEEP_TESTBED=1
 * (handy while iterating: the next run's `up` then finds it up and keeps it, in well under a second).
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The integration tests run against the testbed (network namespaces, nftables), which needs root. ' +
        'Run them as root, e.g. `sudo npx vitest run --project integration`.',
    );
  }
  const started = Date.now();
  const up = await runTestbed('up', { timeoutMs: 15 * 60_000 });
  if (up.code !== 0) {
    throw new Error(`Testbed failed to come up (testbed.sh up exited ${up.code}; logs in ${testbedDir()}):\n${up.stderr}\n${up.stdout}`);
  }
  console.log(`[testbed] up in ${((Date.now() - started) / 1000).toFixed(1)} s (${testbedDir()}/testbed.json)`);

  return async () => {
    if (process.env.BASTION_KEEP_TESTBED === '1') {
      console.log('[testbed] BASTION_KEEP_TESTBED=1: leaving the testbed up (npm run testbed -- down to remove it)');
      return;
    }
    const down = await runTestbed('down', { timeoutMs: 120_000 });
    if (down.code !== 0) console.warn(`[testbed] down exited ${down.code}:\n${down.stderr}`);
  };
}
