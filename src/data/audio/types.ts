// Shared shapes and the error type of the audio pipeline.

/** Decoded PCM: one Float32Array per channel, samples in [-1, 1] (floats may exceed it). */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Containers/codecs recognized from magic bytes. */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-vorbis';

/** A decoding or validation failure; the message always names the file. */
export class AudioError extends Error {
  /** `file` is the name given by the caller (a path or a dropped file's name). */
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'AudioError';
  }
}
