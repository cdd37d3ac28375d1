import { describe, expect, it } from 'vitest';
import { timeText } from './date-format.js';

describe('the portal date format', () => {
  it('shows the date, the time with seconds and the time zone, in the given locale', () => {
    expect(timeText('2024-05-01T12:00:05Z', 'en-US', 'UTC')).toBe('May 1, 2024, 12:00:05 PM UTC');
    expect(timeText('2024-05-01T12:00:05Z', 'de-DE', 'Europe/Berlin')).toBe('01.05.2024, 14:00:05 MESZ');
  });

  it('leaves text that is not a date as it is', () => {
    expect(timeText('soon', 'en-US')).toBe('soon');
  });
});
