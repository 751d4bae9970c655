// Recognize an audio file from its magic bytes, before any decoder runs.
import { AudioError, type AudioFormat } from './types';

/** What the first bytes say: a format we decode, or a named container we do not. */
export type SniffResult =
  | { kind: 'supported'; format: AudioFormat; sampleRate?: number; offset: number }
  | { kind: 'unsupported'; container: string };

const ascii = (b: Uint8Array, at: number, n: number): string => {
  let s = '';
  for (let i = at; i < Math.min(b.length, at + n); i++) s += String.fromCharCode(b[i]);
  return s;
};

const MP3_RATES = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];

/** Sample rate if `b[at..]` is a valid MPEG audio (layer I-III) frame header, else 0. */
export function mpegFrameRate(b: Uint8Array, at: number): number {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return 0;
  const version = (b[at + 1] >> 3) & 3; // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
  const layer = (b[at + 1] >> 1) & 3; // 0 is reserved (ADTS AAC uses it)
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 3;
  if (version === 1 || layer === 0 || bitrate === 15 || rate === 3) return 0;
  return MP3_RATES[version][rate];
}

/** Bytes taken by a leading ID3v2 tag (0 if none). */
function id3Length(b: Uint8Array): number {
  if (ascii(b, 0, 3) !== 'ID3' || b.length < 10) return 0;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f); // syncsafe
  return 10 + size + (b[5] & 0x10 ? 10 : 0); // footer flag
}

/** Classify `bytes`; throws AudioError for an empty or unrecognized file. */
export function sniffAudio(bytes: Uint8Array, name: string): SniffResult {
  if (bytes.length === 0) throw new AudioError(name, 'the file is empty (0 bytes)');
  let b = bytes;
  const tag = id3Length(b);
  if (tag > 0) {
    if (tag >= b.length) throw new AudioError(name, `truncated: the ID3 tag declares ${tag} bytes but the file has ${b.length}`);
    b = b.subarray(tag);
    if (ascii(b, 0, 4) === 'fLaC') return { kind: 'supported', format: 'flac', sampleRate: flacRate(b), offset: tag };
    // Encoders may pad between the tag and the first frame; look a little ahead for a frame sync.
    for (let i = 0; i < Math.min(b.length, 65536); i++) {
      const sr = mpegFrameRate(b, i);
      if (sr > 0) return { kind: 'supported', format: 'mp3', sampleRate: sr, offset: tag };
    }
    throw new AudioError(name, 'an ID3 tag is followed by no MPEG audio frame (not an MP3, or truncated)');
  }
  const head4 = ascii(b, 0, 4);
  if (head4 === 'RIFF' && b.length < 12) throw new AudioError(name, `truncated: a RIFF header needs 12 bytes, the file has ${b.length}`);
  if (head4 === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return { kind: 'supported', format: 'wav', offset: 0 };
  if (head4 === 'RIFF') return { kind: 'unsupported', container: `RIFF/${ascii(b, 8, 4)} (not WAVE)` };
  if (head4 === 'RIFX') return { kind: 'unsupported', container: 'big-endian WAV (RIFX)' };
  if (head4 === 'RF64') return { kind: 'unsupported', container: 'RF64 (64-bit WAV)' };
  if (head4 === 'fLaC') return { kind: 'supported', format: 'flac', sampleRate: flacRate(b), offset: 0 };
  if (head4 === 'OggS') return sniffOgg(b);
  const sr = mpegFrameRate(b, 0);
  if (sr > 0) return { kind: 'supported', format: 'mp3', sampleRate: sr, offset: 0 };
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return { kind: 'unsupported', container: 'AAC (ADTS)' };
  if (ascii(b, 4, 4) === 'ftyp') return { kind: 'unsupported', container: `MP4/M4A (${ascii(b, 8, 4).trim()})` };
  if (head4 === '\x1a\x45\xdf\xa3') return { kind: 'unsupported', container: 'WebM/Matroska' };
  if (head4 === 'FORM') return { kind: 'unsupported', container: `AIFF (${ascii(b, 8, 4)})` };
  if (head4 === 'caff') return { kind: 'unsupported', container: 'Core Audio (CAF)' };
  if (head4 === '.snd') return { kind: 'unsupported', container: 'Sun/NeXT AU' };
  if (head4 === 'wvpk') return { kind: 'unsupported', container: 'WavPack' };
  if (ascii(b, 0, 5) === '#!AMR') return { kind: 'unsupported', container: 'AMR' };
  const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new AudioError(name, `unrecognized audio format (first bytes: ${hex}); expected WAV, FLAC, MP3 or Ogg Vorbis`);
}

/** Sample rate from FLAC STREAMINFO (20 bits at byte 18 of the file), undefined if cut. */
function flacRate(b: Uint8Array): number | undefined {
  if (b.length < 21) return undefined;
  return (b[18] << 12) | (b[19] << 4) | (b[20] >> 4);
}

/** Ogg is a container: the first packet names the codec. */
function sniffOgg(b: Uint8Array): SniffResult {
  const nseg = b.length > 26 ? b[26] : 0;
  const p = 27 + nseg; // first packet starts after the segment table
  const id = ascii(b, p, 8);
  if (id.startsWith('\x01vorbis')) {
    const sr = p + 16 <= b.length ? (b[p + 12] | (b[p + 13] << 8) | (b[p + 14] << 16) | (b[p + 15] << 24)) >>> 0 : undefined;
    return { kind: 'supported', format: 'ogg-vorbis', sampleRate: sr, offset: 0 };
  }
  if (id.startsWith('OpusHead')) return { kind: 'unsupported', container: 'Ogg Opus' };
  if (id.startsWith('\x7fFLAC')) return { kind: 'unsupported', container: 'Ogg FLAC' };
  if (id.startsWith('Speex')) return { kind: 'unsupported', container: 'Ogg Speex' };
  return { kind: 'unsupported', container: 'Ogg with an unknown codec' };
}
