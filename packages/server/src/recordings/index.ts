/** Session recordings (design 0006): the public entry point of this module. */
import { join, resolve } from 'node:path';
import { RECORDING_DEFAULTS } from '../config/defaults.js';
import type { BastionConfig } from '../config/schema.js';
import type { RecordingSettings } from './service.js';

export { AppendFile, FlushTick, SyncLimiter, type AppendFileOptions, type AppendTarget } from './append-file.js';
export { AsciicastWriter } from './asciicast-writer.js';
export { streamCast, type WatchSocket } from './live-watch.js';
export { RdpcapWriter } from './rdpcap-writer.js';
export { RecordingStore, recordingInfo, type RecordingFilter, type RecordingRow } from './recording-store.js';
export { Recordings, type RdpRecording, type RecordingSettings, type RecordingStart, type SshRecording } from './service.js';

/** The configuration's `recordings` section with defaults applied; `dir` absolute (default <dataDir>/recordings). */
export function recordingSettings(config: BastionConfig): RecordingSettings {
  const r = config.recordings;
  return {
    dir: resolve(r.dir ?? join(resolve(config.dataDir), 'recordings')),
    retentionDays: r.retentionDays ?? RECORDING_DEFAULTS.retentionDays,
    onFailure: r.onFailure ?? RECORDING_DEFAULTS.onFailure,
    ssh: { enabled: r.ssh?.enabled ?? RECORDING_DEFAULTS.ssh.enabled, input: r.ssh?.input ?? RECORDING_DEFAULTS.ssh.input },
    rdp: { enabled: r.rdp?.enabled ?? RECORDING_DEFAULTS.rdp.enabled },
  };
}
