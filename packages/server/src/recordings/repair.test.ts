import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRdpcap } from '../../../protocol/src/rdpcap.js';
import { repairRecording } from './repair.js';

const dir = mkdtempSync(join(tmpdir(), 'bastion-repair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const row = (format: 'asciicast' | 'rdpcap') => ({ format, start: '2026-06-01T12:00:00.000Z', sessionId: 's1', vm: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web', user: 'alice', userName: 'azureuser' });
const header = '{"version":2,"width":80,"height":24,"timestamp":1780315200,"env":{"TERM":"xterm-256color"},"title":"azureuser@vm-web"}\n';
/** Every line parses, the first is an asciicast v2 header: what asciinema-player needs. */
const playable = (text: string): boolean => text.endsWith('\n') && (JSON.parse(text.split('\n')[0]!) as { version: number }).version === 2 && text.slice(0, -1).split('\n').every((l) => JSON.parse(l) !== undefined);

describe('repairRecording', () => {
  it('gives an empty cast its header, and says so', async () => {
    const p = join(dir, 'empty.cast');
    writeFileSync(p, '');
    expect(await repairRecording(p, row('asciicast'))).toEqual({ size: header.length, note: expect.stringMatching(/empty.*header was written/) });
    expect(readFileSync(p, 'utf8')).toBe(header);
    expect(playable(readFileSync(p, 'utf8'))).toBe(true);
  });

  it('removes a line cut mid-way and a tail of zeros (a power loss), keeps whole files as they are', async () => {
    const p = join(dir, 'cut.cast');
    writeFileSync(p, `${header}[0.1,"o","hello\\r\\n"]\n[0.2,"o","wor`);
    expect(await repairRecording(p, row('asciicast'))).toEqual({ size: header.length + 22, note: 'A line cut by the stop was removed at start-up (13 bytes).' });
    expect(playable(readFileSync(p, 'utf8'))).toBe(true);
    const z = join(dir, 'zeros.cast');
    writeFileSync(z, Buffer.concat([Buffer.from(`${header}[0.1,"o","a"]\n`), Buffer.alloc(4096), Buffer.from('\n')]));
    expect((await repairRecording(z, row('asciicast'))).note).toMatch(/removed/);
    expect(readFileSync(z, 'utf8')).toBe(`${header}[0.1,"o","a"]\n`);
    expect(await repairRecording(z, row('asciicast'))).toEqual({ size: header.length + 14, note: null });
    const h = join(dir, 'half-header.cast');
    writeFileSync(h, header.slice(0, 30));
    expect((await repairRecording(h, row('asciicast'))).note).toMatch(/header line was cut \(30 bytes\)/);
    expect(readFileSync(h, 'utf8')).toBe(header);
  });

  it('gives an empty or cut rdpcap a readable header; a missing file is reported', async () => {
    for (const [name, content] of [['empty.rdpcap', Buffer.alloc(0)], ['cut.rdpcap', Buffer.from([0x89, 0x52, 0x44])]] as const) {
      const p = join(dir, name);
      writeFileSync(p, content);
      expect((await repairRecording(p, row('rdpcap'))).note).toMatch(/header/);
      const read = readRdpcap(new Uint8Array(readFileSync(p)));
      expect(read).toMatchObject({ ok: true, header: { startTime: Date.parse('2026-06-01T12:00:00.000Z') }, records: [], complete: false, truncatedBytes: 0 });
      if (read.ok) expect(JSON.parse(Buffer.from(read.header.meta).toString('utf8'))).toMatchObject({ sessionId: 's1', userName: 'azureuser' });
    }
    expect(await repairRecording(join(dir, 'none.cast'), row('asciicast'))).toEqual({ size: 0, note: 'The file was missing at start-up.' });
  });
});
