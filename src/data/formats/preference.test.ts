import { describe, expect, it } from 'vitest';
import { extractPrompt } from './preference';
import { FieldError } from './types';

const u = (content: string) => ({ role: 'user', content });
const a = (content: string) => ({ role: 'assistant', content });

describe('extractPrompt (TRL extract_prompt)', () => {
  it('splits at the first difference and leaves the space with the completions', () => {
    expect(extractPrompt('The sky is blue.', 'The sky is green.')).toEqual({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' });
    expect(extractPrompt('Hello world', 'Hello there')).toEqual({ prompt: 'Hello', chosen: ' world', rejected: ' there' });
    expect(extractPrompt('abX', 'abY')).toEqual({ prompt: 'ab', chosen: 'X', rejected: 'Y' });
  });

  it('keeps TRL\'s loop-exhaustion quirk when one side is a prefix of the other', () => {
    expect(extractPrompt('abc', 'abcd')).toEqual({ prompt: 'ab', chosen: 'c', rejected: 'cd' });
    expect(extractPrompt('same', 'same')).toEqual({ prompt: 'sam', chosen: 'e', rejected: 'e' });
  });

  it('compares code points, never splitting a surrogate pair', () => {
    expect(extractPrompt('😀a', '😀b')).toEqual({ prompt: '😀', chosen: 'a', rejected: 'b' });
    expect(extractPrompt('x😀', 'x😁')).toEqual({ prompt: 'x', chosen: '😀', rejected: '😁' });
  });

  it('does not copy TRL\'s negative-index accident at position 0', () => {
    expect(extractPrompt('a ', 'b')).toEqual({ prompt: '', chosen: 'a ', rejected: 'b' });
  });

  it('splits conversations at the first differing message', () => {
    const chosen = [u('q1'), a('a1'), u('q2'), a('good')];
    const rejected = [u('q1'), a('a1'), u('q2'), a('bad')];
    expect(extractPrompt(chosen, rejected)).toEqual({ prompt: [u('q1'), a('a1'), u('q2')], chosen: [a('good')], rejected: [a('bad')] });
    expect(extractPrompt([a('x')], [a('y')])).toEqual({ prompt: [], chosen: [a('x')], rejected: [a('y')] });
    expect(extractPrompt([u('q'), { role: 'assistant', content: [{ type: 'text' as const, text: 'p' }] }], [u('q'), a('p')]).prompt).toEqual([u('q')]);
  });

  it('refuses empty input (TRL crashes there)', () => {
    expect(() => extractPrompt('', 'x')).toThrow(FieldError);
    expect(() => extractPrompt('x', '')).toThrow(/rejected|empty/);
  });
});

describe('extractPrompt matches a code-point reference on random strings', () => {
  // The TRL loop written over code points, as a reference (minus the position-0 accident).
  const reference = (c: string, r: string) => {
    const cc = Array.from(c);
    const rr = Array.from(r);
    const n = Math.min(cc.length, rr.length);
    let idx = n - 1;
    for (let i = 0; i < n; i++) if (cc[i] !== rr[i]) { idx = i > 0 && cc[i - 1] === ' ' ? i - 1 : i; break; }
    return { prompt: cc.slice(0, idx).join(''), chosen: cc.slice(idx).join(''), rejected: rr.slice(idx).join('') };
  };
  it('agrees on 2000 random pairs over an alphabet with spaces and astral characters', () => {
    const alphabet = ['a', 'b', ' ', 'é', '😀', '😁', '𝄞'];
    let seed = 7;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const word = (): string => Array.from({ length: 1 + rand(6) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let k = 0; k < 2000; k++) {
      const shared = rand(2) ? word() : '';
      const c = shared + word();
      const r = shared + word();
      expect([c, r, extractPrompt(c, r)]).toEqual([c, r, reference(c, r)]);
    }
  });
});
