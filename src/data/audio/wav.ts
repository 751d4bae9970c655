// A RIFF/WAVE parser: PCM 8/16/24/32-bit, IEEE float 32/64, G.711 mu-law/A-law, WAVE_FORMAT_EXTENSIBLE.
import { AudioError, type DecodedAudio } from './types';

const TAG_PCM = 1;
const TAG_FLOAT = 3;
const TAG_ALAW = 6;
const TAG_MULAW = 7;
const TAG_EXTENSIBLE = 0xfffe;
const TAG_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM', 0x11: 'IMA ADPCM', 0x31: 'GSM 6.10', 0x50: 'MPEG', 0x55: 'MP3', 0xff: 'AAC',
};

interface Fmt { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number }

const id4 = (v: DataView, at: number): string =>
  String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));

function readFmt(v: DataView, at: number, size: number, name: string): Fmt {
  if (size < 16) throw new AudioError(name, `WAV fmt chunk is ${size} bytes, expected at least 16`);
  let tag = v.getUint16(at, true);
  const channels = v.getUint16(at + 2, true);
  const sampleRate = v.getUint32(at + 4, true);
  const blockAlign = v.getUint16(at + 12, true);
  const bits = v.getUint16(at + 14, true);
  if (tag === TAG_EXTENSIBLE) {
    if (size < 40) throw new AudioError(name, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, expected 40`);
    tag = v.getUint16(at + 24, true); // the SubFormat GUID starts with the plain format tag
  }
  if (channels === 0) throw new AudioError(name, 'WAV fmt chunk declares 0 channels');
  if (sampleRate === 0) throw new AudioError(name, 'WAV fmt chunk declares a sample rate of 0');
  return { tag, channels, sampleRate, blockAlign, bits };
}

/** G.711 mu-law byte to a 16-bit linear value. */
function mulaw(byte: number): number {
  const u = ~byte & 0xff;
  const exp = (u >> 4) & 7;
  const mag = ((((u & 0x0f) << 3) + 0x84) << exp) - 0x84;
  return u & 0x80 ? -mag : mag;
}

/** G.711 A-law byte to a 16-bit linear value. */
function alaw(byte: number): number {
  const a = byte ^ 0x55;
  const exp = (a >> 4) & 7;
  const man = a & 0x0f;
  const mag = exp === 0 ? (man << 4) + 8 : ((man << 4) + 0x108) << (exp - 1);
  return a & 0x80 ? mag : -mag;
}

/** Decode a WAV file; `name` is used in every error message. */
export function decodeWav(bytes: Uint8Array, name: string): DecodedAudio {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || id4(v, 0) !== 'RIFF' || id4(v, 8) !== 'WAVE') throw new AudioError(name, 'not a RIFF/WAVE file');
  let fmt: Fmt | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = id4(v, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    const remaining = bytes.length - body;
    if (id === 'fmt ') {
      if (size > remaining) throw new AudioError(name, `truncated: the WAV fmt chunk declares ${size} bytes but ${remaining} remain`);
      fmt = readFmt(v, body, size, name);
    } else if (id === 'data') {
      if (!fmt) throw new AudioError(name, 'WAV data chunk comes before any fmt chunk');
      // NOTE: streaming writers leave 0xFFFFFFFF when the length was unknown: read to the end then.
      const len = size === 0xffffffff ? remaining : size;
      if (len > remaining) {
        throw new AudioError(name, `truncated: the WAV data chunk declares ${len} bytes but only ${remaining} remain (the file was cut)`);
      }
      return decodeData(bytes.subarray(body, body + len), fmt, name);
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new AudioError(name, fmt ? 'WAV file has no data chunk (truncated?)' : 'WAV file has no fmt chunk (truncated?)');
}

function decodeData(data: Uint8Array, fmt: Fmt, name: string): DecodedAudio {
  const { tag, channels: nch, bits } = fmt;
  const bytesPer = Math.floor(fmt.blockAlign / nch);
  if (tag !== TAG_PCM && tag !== TAG_FLOAT && tag !== TAG_ALAW && tag !== TAG_MULAW) {
    const what = TAG_NAMES[tag] ?? `format tag 0x${tag.toString(16)}`;
    throw new AudioError(name, `unsupported WAV encoding: ${what}; convert to PCM WAV or FLAC`);
  }
  if (bytesPer * nch !== fmt.blockAlign || bytesPer === 0) {
    throw new AudioError(name, `WAV block align ${fmt.blockAlign} is not a whole number of bytes per sample for ${nch} channels`);
  }
  const container = bytesPer * 8;
  const ok =
    (tag === TAG_PCM && [8, 16, 24, 32].includes(container) && bits <= container) ||
    (tag === TAG_FLOAT && (container === 32 || container === 64)) ||
    ((tag === TAG_ALAW || tag === TAG_MULAW) && container === 8);
  if (!ok) throw new AudioError(name, `unsupported WAV sample layout: tag ${tag}, ${bits} bits in ${container}-bit containers`);
  if (data.length % fmt.blockAlign !== 0) {
    throw new AudioError(name, `truncated: the WAV data (${data.length} bytes) ends inside a sample frame of ${fmt.blockAlign} bytes`);
  }
  const frames = data.length / fmt.blockAlign;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = Array.from({ length: nch }, () => new Float32Array(frames));
  const read = sampleReader(v, tag, bytesPer);
  for (let c = 0; c < nch; c++) {
    const ch = out[c];
    for (let i = 0, p = c * bytesPer; i < frames; i++, p += fmt.blockAlign) ch[i] = read(p);
  }
  return { sampleRate: fmt.sampleRate, channels: out };
}

/** A reader from byte offset to float sample; integers scale by 2^(bits-1) as libsndfile does. */
function sampleReader(v: DataView, tag: number, bytesPer: number): (p: number) => number {
  if (tag === TAG_FLOAT) return bytesPer === 4 ? (p) => v.getFloat32(p, true) : (p) => v.getFloat64(p, true);
  if (tag === TAG_MULAW) return (p) => mulaw(v.getUint8(p)) / 32768;
  if (tag === TAG_ALAW) return (p) => alaw(v.getUint8(p)) / 32768;
  switch (bytesPer) {
    case 1: return (p) => (v.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned
    case 2: return (p) => v.getInt16(p, true) / 32768;
    case 3: return (p) => ((v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getInt8(p + 2) << 16))) / 8388608;
    default: return (p) => v.getInt32(p, true) / 2147483648;
  }
}
