// FLAC, MP3 and Ogg Vorbis through eshaz's wasm-audio-decoders (libFLAC, mpg123, libvorbis in WASM).
//
// Loading: each package embeds its WASM as a compressed string inside the JS module and
// instantiates it with WebAssembly.instantiate, so there is no .wasm file to fetch or to list in
// Vite's assets: it runs unchanged in Node, in a module Worker and in the page. The packages are
// imported lazily (dynamic import) so Vite splits each into its own chunk, loaded on first use.
// Their `*WebWorker` variants (which spawn workers of their own) are not used: our training
// worker already runs off the main thread. Checked in headless Chromium with COOP/COEP: a Vite
// build puts flac, mpg123 and ogg-vorbis in lazy chunks (40-72 kB each) and all three decode the
// fixtures inside a module Worker, where OfflineAudioContext does not exist.
import type { FLACDecodedAudio } from '@wasm-audio-decoders/flac';
import { parseStreamInfo, silentTailLength } from './flac-frames';
import { AudioError, type DecodedAudio } from './types';

interface WasmDecoded { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: { message: string; frameNumber: number }[]; bitDepth?: number }

function check(r: WasmDecoded, name: string, codec: string, expected = 0): DecodedAudio {
  if (expected > 0 && r.samplesDecoded < expected) {
    throw new AudioError(name, `truncated: the ${codec} header declares ${expected} samples but only ${r.samplesDecoded} could be decoded (the file was cut)`);
  }
  if (r.errors.length > 0) {
    const e = r.errors[0];
    throw new AudioError(name, `${codec} decoder reported ${r.errors.length} error(s), first at frame ${e.frameNumber}: ${e.message}`);
  }
  if (r.samplesDecoded === 0) throw new AudioError(name, `${codec} stream decoded to 0 samples (truncated or no audio frames)`);
  // NOTE: the decoders may return views into a larger buffer; copy to exact-length arrays.
  return { sampleRate: r.sampleRate, channels: r.channelData.map((c) => c.slice(0, r.samplesDecoded)) };
}

/** Total samples per channel from FLAC STREAMINFO (0 means unknown). */
export function flacTotalSamples(b: Uint8Array): number {
  if (b.length < 26) return 0;
  const lo = ((b[22] << 24) | (b[23] << 16) | (b[24] << 8) | b[25]) >>> 0;
  return (b[21] & 0x0f) * 4294967296 + lo;
}

/** Restore a final frame of digital silence that the decoder dropped (see flac-frames.ts); else r as is. */
function padSilentTail(r: FLACDecodedAudio, bytes: Uint8Array): FLACDecodedAudio {
  const info = parseStreamInfo(bytes);
  // Only a frame after decoded ones is lost (it rides along with the previous frame).
  if (!info || r.samplesDecoded === 0 || r.channelData.length !== info.channels || r.bitDepth !== info.bitsPerSample) return r;
  const zeros = silentTailLength(bytes, r.samplesDecoded);
  if (zeros === 0) return r;
  const channelData = r.channelData.map((c) => {
    const ch = new Float32Array(r.samplesDecoded + zeros); // zero past the decoded samples
    ch.set(c.subarray(0, r.samplesDecoded));
    return ch;
  });
  return { ...r, channelData, samplesDecoded: r.samplesDecoded + zeros };
}

/** Decode a FLAC file (starting at 'fLaC'); a cut file fails against STREAMINFO's sample count, a dropped silent last frame is restored. */
export async function decodeFlac(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const dec = new FLACDecoder();
  await dec.ready;
  try {
    const r = padSilentTail(await dec.decodeFile(bytes), bytes);
    const out = check(r, name, 'FLAC', flacTotalSamples(bytes));
    // NOTE: this libFLAC build scales integers by 1 / (2^(b-1) - 1); libsndfile (soundfile,
    // librosa, our WAV path) uses 1 / 2^(b-1). Recover the integer and rescale to match.
    const k = 2 ** (r.bitDepth - 1) - 1;
    const d = 2 ** (r.bitDepth - 1);
    for (const ch of out.channels) for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * k) / d;
    return out;
  } catch (e) {
    if (e instanceof AudioError) throw e;
    throw new AudioError(name, `FLAC decoding failed: ${(e as Error).message}`);
  } finally {
    dec.free();
  }
}

/** Decode an MP3 file (ID3 tags are skipped by mpg123; gapless trimming from the LAME header). */
export async function decodeMp3(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  const { MPEGDecoder } = await import('mpg123-decoder');
  const dec = new MPEGDecoder();
  await dec.ready;
  try {
    return check(dec.decode(bytes), name, 'MP3');
  } catch (e) {
    if (e instanceof AudioError) throw e;
    throw new AudioError(name, `MP3 decoding failed: ${(e as Error).message}`);
  } finally {
    dec.free();
  }
}

/** Walk the Ogg pages: throws if one is cut short or the stream lacks its end-of-stream page. */
function checkOggPages(b: Uint8Array, name: string): void {
  let at = 0;
  let flags = 0;
  while (at < b.length) {
    if (b[at] !== 0x4f || b[at + 1] !== 0x67 || b[at + 2] !== 0x67 || b[at + 3] !== 0x53) {
      throw new AudioError(name, `corrupt Ogg stream: no page header ('OggS') at byte ${at}`);
    }
    if (at + 27 > b.length || at + 27 + b[at + 26] > b.length) break;
    const nseg = b[at + 26];
    let body = 0;
    for (let i = 0; i < nseg; i++) body += b[at + 27 + i];
    const end = at + 27 + nseg + body;
    if (end > b.length) break;
    flags = b[at + 5];
    at = end;
  }
  // NOTE: the decoder skips a cut page silently, so a short file must be caught here.
  if (at < b.length || (flags & 0x04) === 0) {
    throw new AudioError(name, `truncated: the Ogg stream ends ${at < b.length ? 'inside a page' : 'without its end-of-stream page'} (the file was cut)`);
  }
}

/** Decode an Ogg Vorbis file; a stream without its end-of-stream page counts as truncated. */
export async function decodeOggVorbis(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  checkOggPages(bytes, name);
  const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
  const dec = new OggVorbisDecoder();
  await dec.ready;
  try {
    return check(await dec.decodeFile(bytes), name, 'Ogg Vorbis');
  } catch (e) {
    if (e instanceof AudioError) throw e;
    throw new AudioError(name, `Ogg Vorbis decoding failed: ${(e as Error).message}`);
  } finally {
    dec.free();
  }
}
