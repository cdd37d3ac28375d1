import { create, type Player } from 'asciinema-player';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import { useEffect, useRef } from 'react';

/**
 * asciinema-player on a cast URL (same origin, the session cookie). Its control bar seeks (click the
 * progress bar, or ← → and 0–9 keys); `speed` comes from the page, and a change keeps the position.
 * CSP: its terminal is WASM instantiated from bytes in the bundle ('wasm-unsafe-eval', already allowed),
 * its styles are a CSS file plus inline style attributes ('unsafe-inline' for styles); no workers, no fonts.
 */
/** 'window': scaled to the page's box; 'actual': a readable 15 px font, the box scrolls (the page sets its overflow). */
export type PlayerSize = 'window' | 'actual';

export default function AsciinemaPlayerView({ url, speed, size = 'window' }: { url: string; speed: number; size?: PlayerSize }) {
  const host = useRef<HTMLDivElement>(null);
  const position = useRef(0);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const player: Player = create({ url, fetchOpts: { credentials: 'same-origin' } }, el, {
      speed,
      startAt: Math.floor(position.current),
      autoPlay: true,
      preload: true,
      // Fit to window: scaled to the box the page gives it (width and height), so the control bar is never
      // below the fold, but a tall recording is small text. Actual size: 15 px whatever the rows; the box scrolls.
      ...(size === 'actual' ? { fit: false as const, terminalFontSize: '15px' } : { fit: 'both' as const }),
      idleTimeLimit: 2,
      terminalFontFamily: 'Consolas, "Cascadia Mono", "DejaVu Sans Mono", monospace',
    });
    return () => {
      position.current = player.getCurrentTime();
      player.dispose();
    };
  }, [url, speed, size]);
  return <div ref={host} role="region" aria-label="Recording player" style={size === 'actual' ? { width: 'max-content' } : { height: '100%' }} />;
}
