// Pure helpers behind the waveform view: where speech is in a clip, estimated word times, peaks
// for drawing and a WAV blob for playback.
//
// There is no forced aligner yet, so word times are an estimate: the voiced span is found by
// frame energy (25 ms frames, 10 ms hop; a frame is voiced when its RMS level is within 35 dB of
// the loudest frame and 8 dB above the noise floor, the clip's 10th-percentile level), and words
// are laid out over it in proportion to their character counts, with one character's worth of
// pause between words. The UI labels these times as estimated.

/** A time range in seconds. */
export interface Span {
  start: number;
  end: number;
}

const FRAME = 0.025;
const HOP = 0.01;

/** The first to the last voiced frame of a clip; the whole clip when no frame stands out. */
export function voicedSpan(samples: Float32Array, sampleRate: number): Span {
  const duration = samples.length / sampleRate;
  const frame = Math.max(1, Math.round(FRAME * sampleRate));
  const hop = Math.max(1, Math.round(HOP * sampleRate));
  const db: number[] = [];
  for (let at = 0; at + frame <= samples.length; at += hop) {
    let s = 0;
    for (let i = at; i < at + frame; i++) s += samples[i] * samples[i];
    db.push(10 * Math.log10(s / frame + 1e-12));
  }
  if (db.length === 0) return { start: 0, end: duration };
  const peak = Math.max(...db);
  const floor = [...db].sort((a, b) => a - b)[Math.floor(db.length * 0.1)];
  const threshold = Math.max(peak - 35, floor + 8);
  if (peak < threshold) return { start: 0, end: duration };
  const first = db.findIndex((d) => d >= threshold);
  let last = first;
  for (let i = db.length - 1; i >= 0; i--) if (db[i] >= threshold) { last = i; break; }
  return { start: (first * hop) / sampleRate, end: Math.min(duration, (last * hop + frame) / sampleRate) };
}

/** A word's length for timing: its letters and digits (tags like `*word*` do not take time). */
function weight(word: string): number {
  return Math.max(1, word.replace(/[^\p{L}\p{N}]/gu, '').length);
}

/** Estimated times of `words` over `span`: proportional to character counts, one-character pauses between. */
export function estimateWordTimes(words: readonly string[], span: Span): Span[] {
  if (words.length === 0) return [];
  const units = words.reduce((s, w) => s + weight(w), 0) + (words.length - 1);
  const per = (span.end - span.start) / units;
  const out: Span[] = [];
  let t = span.start;
  words.forEach((w, i) => {
    const end = t + weight(w) * per;
    out.push({ start: t, end });
    t = end + (i < words.length - 1 ? per : 0);
  });
  return out;
}

/** Where a marker for an insertion before word `gap` goes: mid-pause, or the span's edge. */
export function gapTime(times: readonly Span[], gap: number, span: Span): number {
  if (times.length === 0) return span.start;
  if (gap <= 0) return times[0].start;
  if (gap >= times.length) return times[times.length - 1].end;
  return (times[gap - 1].end + times[gap].start) / 2;
}

/** Max-abs peaks in `bins` equal slices (wavesurfer draws them mirrored). */
export function peaksOf(samples: Float32Array, bins: number): Float32Array {
  const n = Math.max(1, Math.min(bins, samples.length));
  const out = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * samples.length) / n);
    const to = Math.floor(((b + 1) * samples.length) / n);
    let m = 0;
    for (let i = from; i < to; i++) m = Math.max(m, Math.abs(samples[i]));
    out[b] = m;
  }
  return out;
}

/** 16-bit PCM mono WAV bytes of a clip (what the media element plays). */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(out.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]));
    v.setInt16(44 + i * 2, Math.round(x < 0 ? x * 32768 : x * 32767), true);
  }
  return out;
}
