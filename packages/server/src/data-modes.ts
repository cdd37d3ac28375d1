import { statSync } from 'node:fs';

/** One path that other local users can reach, with the fix spelled out for the log. */
export interface LooseMode {
  path: string;
  /** Permission bits, e.g. "0755". */
  mode: string;
  message: string;
}

/**
 * The paths among `paths` (folders and files holding the database, keys and recordings) whose mode
 * grants anything to group or others. New installations create them 0700/0600; this is for data folders
 * made by an older version or by hand. The start goes on: refusing would turn an upgrade into an outage,
 * and changing an operator's modes behind their back could break what relies on them (a backup agent's
 * group). The log names each path and the chmod that closes it. Missing paths are skipped.
 */
export function looseModes(paths: ReadonlyArray<string | undefined>): LooseMode[] {
  const out: LooseMode[] = [];
  for (const path of new Set(paths)) {
    if (!path) continue;
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    const bits = st.mode & 0o777;
    if ((bits & 0o077) === 0) continue;
    const mode = bits.toString(8).padStart(4, '0');
    const fix = st.isDirectory() ? 700 : 600;
    out.push({ path, mode, message: `${path} is mode ${mode}: other local users can read it; run chmod ${fix} ${path}` });
  }
  return out;
}
