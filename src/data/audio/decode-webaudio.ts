// Browser-page decoding through WebAudio (OfflineAudioContext exists on window only, not in Workers).
import { AudioError, type DecodedAudio } from './types';

/** True where `OfflineAudioContext` exists (a page, not a Worker or Node). */
export function hasWebAudio(): boolean {
  return typeof OfflineAudioContext !== 'undefined';
}

/**
 * Decode with the browser's codecs. NOTE: decodeAudioData resamples to the context's rate, so
 * the context is built at the file's own rate when known (48 kHz otherwise) and our resampler
 * does the conversion to 16 kHz, as on the pure path.
 */
export async function decodeWebAudio(bytes: Uint8Array, name: string, sampleRate = 48000): Promise<DecodedAudio> {
  const rate = Math.min(384000, Math.max(8000, sampleRate));
  const ctx = new OfflineAudioContext(1, 1, rate);
  // decodeAudioData detaches its argument: give it a copy.
  const copy = bytes.slice().buffer;
  let buf: AudioBuffer;
  try {
    buf = await ctx.decodeAudioData(copy);
  } catch (e) {
    throw new AudioError(name, `the browser could not decode this file: ${(e as Error).message}`);
  }
  if (buf.length === 0) throw new AudioError(name, 'decoded to 0 samples');
  const channels = Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c).slice());
  return { sampleRate: buf.sampleRate, channels };
}
