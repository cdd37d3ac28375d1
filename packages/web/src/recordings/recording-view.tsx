import { Button, Field, Link, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Select, Spinner, Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownload20Regular, ArrowLeft20Regular } from '@fluentui/react-icons';
import { lazy, Suspense, useEffect, useState } from 'react';
import { usePortalSession } from '../auth/session-context.js';
import { timeText } from '../format/date-format.js';
import { useAsync } from '../portal/use-async.js';
import { handleLinkClick } from '../routing/link-click.js';
import { recordingPath } from '../routing/routes.js';
import type { PlayerSize } from './asciinema-player-view.js';
import { downloadUrl, durationText, getRecording, playUrl } from './recordings-api.js';

// The player (asciinema-player, its WASM terminal and CSS) and the live view (xterm.js) load only when opened.
const AsciinemaPlayerView = lazy(() => import('./asciinema-player-view.js'));
const LiveWatchView = lazy(() => import('./live-watch-view.js'));

const useStyles = makeStyles({
  // Compact chrome: every line above the player is height the terminal's font loses on a 768 px screen.
  page: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXXL}` },
  head: { display: 'flex', alignItems: 'baseline', columnGap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  bar: { display: 'flex', columnGap: tokens.spacingHorizontalL, alignItems: 'center', flexWrap: 'wrap' },
  meta: { color: tokens.colorNeutralForeground2 },
  // Fit to window: the player scales its terminal to this box, its controls stay on screen at 768 px height.
  // Actual size: the terminal keeps a readable font and this box scrolls (the control bar is at its end).
  player: { height: 'max(260px, calc(100vh - 200px))' },
  scrolling: { overflow: 'auto' },
});

const SPEEDS = ['0.5', '1', '2', '4', '8'];
const vmName = (id: string): string => id.split('/').pop() ?? id;

/** `/portal/recordings/<id>`: the player (seek with its progress bar, speed here); `/live`: the live view. */
export function RecordingView({ sessionId, view }: { sessionId: string; view: 'play' | 'live' }) {
  const styles = useStyles();
  const { api } = usePortalSession();
  const info = useAsync(() => getRecording(api, sessionId), [api, sessionId]);
  const [speed, setSpeed] = useState('1');
  const [size, setSize] = useState<PlayerSize>('window');
  const title = view === 'live' ? 'Watch live session' : 'Recording';
  useEffect(() => {
    document.title = `${title} - Bastion`;
  }, [title]);
  const back = '/portal/recordings';
  const meta =
    info.status === 'ready' ? (
      <Text className={styles.meta}>
        {info.data.user} as {info.data.userName} on {vmName(info.data.vm)} · {info.data.protocol.toUpperCase()} · started {timeText(info.data.start)} ·{' '}
        {info.data.live ? 'running' : durationText(info.data.start, info.data.end)}
      </Text>
    ) : null;

  return (
    <section className={styles.page} aria-labelledby="page-title">
      <div className={styles.head}>
        <Title2 as="h1" id="page-title">
          {title}
        </Title2>
        <Link href={back} onClick={(e) => handleLinkClick(e, back)}>
          <ArrowLeft20Regular aria-hidden /> Recordings
        </Link>
      </div>
      {info.status === 'loading' ? <Spinner label="Loading…" labelPosition="after" size="small" /> : null}
      {info.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{info.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {info.status === 'ready' ? (
        <>
          {view === 'play' && info.data.format === 'asciicast' ? null : meta}
          {view === 'live' ? (
            info.data.live && info.data.format === 'asciicast' ? (
              <Suspense fallback={<Spinner label="Loading the terminal…" size="small" />}>
                <LiveWatchView sessionId={sessionId} />
              </Suspense>
            ) : (
              <MessageBar intent="info">
                <MessageBarBody>
                  This session is not live. <Link href={recordingPath(sessionId)} onClick={(e) => handleLinkClick(e, recordingPath(sessionId))}>Play its recording</Link>.
                </MessageBarBody>
              </MessageBar>
            )
          ) : info.data.format === 'asciicast' ? (
            <>
              <div className={styles.bar}>
                {meta}
                <Field label="Speed" orientation="horizontal">
                  <Select value={speed} onChange={(_, d) => setSpeed(d.value)}>
                    {SPEEDS.map((s) => (
                      <option key={s} value={s}>
                        {s}×
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Size" orientation="horizontal">
                  <Select value={size} onChange={(_, d) => setSize(d.value === 'actual' ? 'actual' : 'window')}>
                    <option value="window">Fit to window</option>
                    <option value="actual">Actual size</option>
                  </Select>
                </Field>
                <Button as="a" href={downloadUrl(sessionId)} download icon={<ArrowDownload20Regular />}>
                  Download
                </Button>
                {info.data.live ? (
                  <Button as="a" href={recordingPath(sessionId, 'live')} onClick={(e) => handleLinkClick(e, recordingPath(sessionId, 'live'))}>
                    Watch live
                  </Button>
                ) : null}
              </div>
              <Suspense fallback={<Spinner label="Loading the player…" size="small" />}>
                <div className={size === 'actual' ? `${styles.player} ${styles.scrolling}` : styles.player}>
                  <AsciinemaPlayerView url={playUrl(sessionId)} speed={Number(speed)} size={size} />
                </div>
              </Suspense>
            </>
          ) : (
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>RDP session capture</MessageBarTitle>
                The session's RDP stream was captured as it ran, in the documented rdpcap format: what the desktop showed and what was typed in it, without the
                sign-in. The browser cannot replay it yet; download it to keep it as evidence, hand it to an auditor or decode it with a tool that reads rdpcap.
                It is deleted with the other recordings after the retention period.
              </MessageBarBody>
              <MessageBarActions>
                <Button as="a" href={downloadUrl(sessionId)} download icon={<ArrowDownload20Regular />}>
                  Download the capture
                </Button>
              </MessageBarActions>
            </MessageBar>
          )}
        </>
      ) : null}
    </section>
  );
}
