import { describe, expect, it } from 'vitest';
import { FocusToggleDetector, SCANCODE, SPECIAL_KEYS, chord, type KeyLike } from './key-sequences.js';

const key = (type: 'keydown' | 'keyup', k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  type,
  key: k,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe('special key sequences', () => {
  it('presses a chord in order and releases it in reverse', () => {
    expect(chord(1, 2, 3)).toEqual([
      { scancode: 1, pressed: true },
      { scancode: 2, pressed: true },
      { scancode: 3, pressed: true },
      { scancode: 3, pressed: false },
      { scancode: 2, pressed: false },
      { scancode: 1, pressed: false },
    ]);
  });

  it('Ctrl+Alt+Del uses left Ctrl 0x1D, left Alt 0x38 and the extended Delete 0xE053', () => {
    expect(SPECIAL_KEYS['ctrl-alt-del'].strokes.map((s) => [s.scancode.toString(16), s.pressed])).toEqual([
      ['1d', true],
      ['38', true],
      ['e053', true],
      ['e053', false],
      ['38', false],
      ['1d', false],
    ]);
  });

  it('the Windows key is the extended left Meta 0xE05B, pressed and released', () => {
    expect(SPECIAL_KEYS.windows.strokes).toEqual([
      { scancode: SCANCODE.MetaLeft, pressed: true },
      { scancode: 0xe05b, pressed: false },
    ]);
  });

  it('every sequence leaves no key held', () => {
    for (const { strokes } of Object.values(SPECIAL_KEYS)) {
      const held = new Set<number>();
      for (const s of strokes) s.pressed ? held.add(s.scancode) : held.delete(s.scancode);
      expect(held.size).toBe(0);
    }
  });
});

describe('FocusToggleDetector (Ctrl+Shift+Alt)', () => {
  it('fires on the keydown that completes the chord, in any order', () => {
    const d = new FocusToggleDetector();
    expect(d.onKey(key('keydown', 'Alt', { altKey: true }))).toBe(false);
    expect(d.onKey(key('keydown', 'Control', { altKey: true, ctrlKey: true }))).toBe(false);
    expect(d.onKey(key('keydown', 'Shift', { altKey: true, ctrlKey: true, shiftKey: true }))).toBe(true);
  });

  it('fires once per chord: not on auto-repeat, not again until all three are released', () => {
    const d = new FocusToggleDetector();
    const all = { ctrlKey: true, shiftKey: true, altKey: true };
    expect(d.onKey(key('keydown', 'Shift', all))).toBe(true);
    expect(d.onKey(key('keydown', 'Shift', { ...all, repeat: true }))).toBe(false);
    d.onKey(key('keyup', 'Shift', { ctrlKey: true, altKey: true }));
    expect(d.onKey(key('keydown', 'Shift', all))).toBe(false);
    d.onKey(key('keyup', 'Shift', { ctrlKey: true, altKey: true }));
    d.onKey(key('keyup', 'Control', { altKey: true }));
    d.onKey(key('keyup', 'Alt'));
    expect(d.onKey(key('keydown', 'Shift', all))).toBe(true);
  });

  it('ignores chords with another key or with Meta, and Ctrl+Alt+Del-like combinations', () => {
    const d = new FocusToggleDetector();
    expect(d.onKey(key('keydown', 'Delete', { ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
    expect(d.onKey(key('keydown', 'Shift', { ctrlKey: true, shiftKey: true, altKey: true, metaKey: true }))).toBe(false);
    expect(d.onKey(key('keydown', 'Control', { ctrlKey: true, altKey: true }))).toBe(false);
  });

  it('reset() re-arms after a blur swallowed the keyups', () => {
    const d = new FocusToggleDetector();
    const all = { ctrlKey: true, shiftKey: true, altKey: true };
    expect(d.onKey(key('keydown', 'Alt', all))).toBe(true);
    d.reset();
    expect(d.onKey(key('keydown', 'Alt', all))).toBe(true);
  });
});
