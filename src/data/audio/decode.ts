// One entry for every audio file: sniff, then the WAV parser, the WASM decoders or WebAudio.
import { decodeFlac, decodeMp3, decodeOggVorbis } from './decode-wasm';
import { decodeWebAudio, hasWebAudio } from './decode-webaudio';
import { sniffAudio } from './sniff';
import { AudioError, type DecodedAudio } from './types';
import { decodeWav } from './wav';

/** Options of `decodeAudio`. */
export interface DecodeOptions {
  /** File name or path, used in every error message. */
  name: string;
  /**
   * When to use WebAudio (page only): 'fallback' (default) for formats the pure path lacks
   * (Opus, AAC, ...), 'prefer' for every file, 'never' to stay bit-identical with Node/Workers.
   */
  webAudio?: 'never' | 'fallback' | 'prefer';
}

/** Decode WAV, FLAC, MP3 or Ogg Vorbis bytes to float channels at the file's own rate. */
export async function decodeAudio(bytes: Uint8Array, { name, webAudio = 'fallback' }: DecodeOptions): Promise<DecodedAudio> {
  const sniff = sniffAudio(bytes, name);
  const web = webAudio !== 'never' && hasWebAudio();
  if (sniff.kind === 'unsupported') {
    if (web) return decodeWebAudio(bytes, name);
    throw new AudioError(name, `unsupported audio format: ${sniff.container}; convert it to WAV, FLAC, MP3 or Ogg Vorbis`);
  }
  if (web && webAudio === 'prefer') return decodeWebAudio(bytes, name, sniff.sampleRate);
  const body = sniff.offset > 0 ? bytes.subarray(sniff.offset) : bytes;
  let out: DecodedAudio;
  switch (sniff.format) {
    case 'wav': out = decodeWav(body, name); break;
    case 'flac': out = await decodeFlac(body, name); break;
    case 'mp3': out = await decodeMp3(body, name); break;
    case 'ogg-vorbis': out = await decodeOggVorbis(body, name); break;
  }
  if (out.channels.length === 0 || out.channels[0].length === 0) throw new AudioError(name, 'the file contains no audio samples');
  return out;
}
