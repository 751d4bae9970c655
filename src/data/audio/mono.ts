// Channel mixing.
import type { DecodedAudio } from './types';

/** Average the channels into one (librosa.to_mono); a mono input is returned as is. */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 0) throw new Error('toMono: no channels');
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const out = new Float32Array(n);
  for (const ch of channels) {
    if (ch.length !== n) throw new Error(`toMono: channel lengths differ (${ch.length} vs ${n})`);
    for (let i = 0; i < n; i++) out[i] += ch[i];
  }
  const k = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i] *= k;
  return out;
}

/** Duration in seconds of decoded audio. */
export function durationSeconds(a: DecodedAudio): number {
  return a.channels.length === 0 ? 0 : a.channels[0].length / a.sampleRate;
}
