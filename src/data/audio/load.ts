// Bytes to the mono 16 kHz waveform the Whisper front end wants.
import { decodeAudio, type DecodeOptions } from './decode';
import { toMono } from './mono';
import { resample, type ResampleOptions } from './resample';

/** A mono waveform at a known rate. */
export interface MonoAudio {
  sampleRate: number;
  samples: Float32Array;
  /** The file's own rate and channel count, before mixing and resampling. */
  sourceRate: number;
  sourceChannels: number;
}

/** Decode, mix to mono, resample to `targetRate` (16 kHz by default). */
export async function loadMonoAudio(
  bytes: Uint8Array,
  opts: DecodeOptions & { targetRate?: number; resample?: ResampleOptions },
): Promise<MonoAudio> {
  const { targetRate = 16000 } = opts;
  const a = await decodeAudio(bytes, opts);
  const mono = toMono(a.channels);
  return {
    sampleRate: targetRate,
    samples: resample(mono, a.sampleRate, targetRate, opts.resample),
    sourceRate: a.sampleRate,
    sourceChannels: a.channels.length,
  };
}
