import type { MouseEvent } from 'react';
import { navigate } from './history-store.js';

/**
 * Click handler for `<a href>` inside the app: plain left clicks navigate client-side; modified clicks
 * (new tab, new window) keep the browser's behaviour.
 */
export function handleLinkClick(event: MouseEvent<HTMLElement>, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
}
