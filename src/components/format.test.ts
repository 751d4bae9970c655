import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber } from './format';

describe('formatDuration', () => {
  it('shows tenths under ten seconds and minutes above', () => {
    expect(formatDuration(950)).toBe('0.9s');
    expect(formatDuration(83_000)).toBe('1m 23s');
    expect(formatDuration(3_723_000)).toBe('1h 2m');
    expect(formatDuration(NaN)).toBe('–');
  });
});

describe('formatNumber', () => {
  it('keeps significant digits and switches to exponent for tiny values', () => {
    expect(formatNumber(2.718281828)).toBe('2.718');
    expect(formatNumber(0.00012346)).toBe('1.235e-4');
    expect(formatNumber(null)).toBe('–');
  });
});
