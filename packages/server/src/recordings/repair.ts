import { open } from 'node:fs/promises';
import { encodeRdpcapHeader, RDPCAP_FLAG_AFTER_CREDSSP, RDPCAP_HEADER_SIZE } from '../../../protocol/src/rdpcap.js';
import { asciicastHeaderLine } from './asciicast-writer.js';
import type { RecordingRow } from './recording-store.js';

/** The PTY's opening size (gateway/ssh/connect.ts): what a header rebuilt at start-up can only assume. */
const OPENING_SIZE = { width: 80, height: 24 };
/** How far back from the end a cast is searched for its last whole, valid line. */
const TAIL_WINDOW = 64 * 1024;

export interface RepairResult {
  /** The file's size after the repair. */
  size: number;
  /** What was done, for the recording's row (null: the file was already whole). */
  note: string | null;
}

/**
 * Start-up repair of a recording a stopped bastion (crash, kill -9, power loss, full disk) left behind, so
 * that every file plays (issue 13): an empty cast, or one whose header line is cut, gets a header rebuilt
 * from the row; a cast ending in a cut or unreadable line (a torn batch, zeros after a power loss) is cut
 * after its last line that parses; an rdpcap shorter than its header gets a header. An rdpcap's partial
 * last record stays: its readers skip it by design (design 0006), and finding it would read the whole file.
 */
export async function repairRecording(path: string, row: Pick<RecordingRow, 'format' | 'start' | 'sessionId' | 'vm' | 'user' | 'userName'>): Promise<RepairResult> {
  const fh = await open(path, 'r+').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!fh) return { size: 0, note: 'The file was missing at start-up.' };
  try {
    const size = (await fh.stat()).size;
    const startMs = Date.parse(row.start);
    if (row.format === 'rdpcap') {
      if (size >= RDPCAP_HEADER_SIZE + (size >= RDPCAP_HEADER_SIZE ? await metaLength(fh) : 0)) return { size, note: null };
      const meta = Buffer.from(JSON.stringify({ sessionId: row.sessionId, vm: row.vm, user: row.user, userName: row.userName }), 'utf8');
      const header = encodeRdpcapHeader(startMs, RDPCAP_FLAG_AFTER_CREDSSP, meta);
      await rewrite(fh, header);
      return { size: header.length, note: size === 0 ? 'The file was empty at start-up: its header was written.' : `The file's header was cut (${size} bytes) at start-up: it was written again.` };
    }
    const keep = await lastValidLineEnd(fh, size);
    if (keep > 0) {
      if (keep === size) return { size, note: null };
      await fh.truncate(keep);
      await fh.datasync();
      return { size: keep, note: `A line cut by the stop was removed at start-up (${size - keep} bytes).` };
    }
    const vmName = row.vm.split('/').pop() ?? row.vm;
    const header = Buffer.from(asciicastHeaderLine({ ...OPENING_SIZE, title: `${row.userName}@${vmName}` }, startMs), 'utf8');
    await rewrite(fh, header);
    return { size: header.length, note: size === 0 ? 'The file was empty at start-up: its header was written.' : `The file's header line was cut (${size} bytes) at start-up: it was written again.` };
  } finally {
    await fh.close();
  }
}

async function metaLength(fh: import('node:fs/promises').FileHandle): Promise<number> {
  const b = Buffer.alloc(4);
  await fh.read(b, 0, 4, RDPCAP_HEADER_SIZE - 4);
  return b.readUInt32BE(0);
}

async function rewrite(fh: import('node:fs/promises').FileHandle, content: Uint8Array): Promise<void> {
  await fh.truncate(0);
  await fh.write(content, 0, content.length, 0);
  await fh.datasync();
}

/**
 * The end of the last line (within the last TAIL_WINDOW bytes) that is whole and valid JSON, the header
 * being the first; 0 when there is none. A file longer than the window without a newline in it keeps
 * everything before the window (it cannot be a whole cast otherwise; bounded work for any file).
 */
async function lastValidLineEnd(fh: import('node:fs/promises').FileHandle, size: number): Promise<number> {
  const length = Math.min(size, TAIL_WINDOW);
  const base = size - length;
  const tail = Buffer.alloc(length);
  await fh.read(tail, 0, length, base);
  let end = tail.lastIndexOf(0x0a) + 1; // after the last newline; 0: none in the window
  while (end > 0) {
    const start = end >= 2 ? tail.lastIndexOf(0x0a, end - 2) + 1 : 0;
    // A line starting before the window cannot be checked: trust it (it was followed by later lines).
    if (start === 0 && base > 0) return base + end;
    if (isJsonLine(tail.subarray(start, end - 1))) return base + end;
    end = start;
  }
  return base;
}

function isJsonLine(line: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(line.toString('utf8'));
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}
