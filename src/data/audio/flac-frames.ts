// FLAC frame parsing (RFC 9639), just enough to prove that a stream ends in a frame of digital
// silence: STREAMINFO, the frame header with its CRC-8, CONSTANT subframes and the CRC-16 footer.
//
// NOTE: @wasm-audio-decoders/flac frames the stream with codec-parser, which reads 13 bytes past a
// header before it accepts it. When the final frame is 13 bytes or fewer that lookahead hits the
// end, the parser flushes, and the previous frame goes to libFLAC with the final one appended; its
// CRC-16 check still passes (the CRC of a frame plus its own footer is 0, so the CRC runs on over
// the final frame alone), and libFLAC decodes only the first frame. A CONSTANT frame is that small
// (mono 16-bit: 12-13 bytes) and encoders write silence as CONSTANT frames, so a file padded with
// silence loses its last block without an error. We cannot decode arbitrary frames here, but we
// can prove that the lost frame was all zeros.

/** The STREAMINFO fields needed to place and check frames. */
export interface FlacStreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Samples per channel; 0 means unknown. */
  totalSamples: number;
}

/** Parse STREAMINFO from a file that starts with 'fLaC'; null if it is missing or cut. */
export function parseStreamInfo(b: Uint8Array): FlacStreamInfo | null {
  // 'fLaC', then a metadata block header whose type (low 7 bits) must be 0 with length 34.
  if (b.length < 42 || b[0] !== 0x66 || b[1] !== 0x4c || b[2] !== 0x61 || b[3] !== 0x43) return null;
  if ((b[4] & 0x7f) !== 0 || ((b[5] << 16) | (b[6] << 8) | b[7]) !== 34) return null;
  const lo = ((b[22] << 24) | (b[23] << 16) | (b[24] << 8) | b[25]) >>> 0;
  return {
    minBlockSize: (b[8] << 8) | b[9],
    maxBlockSize: (b[10] << 8) | b[11],
    sampleRate: (b[18] << 12) | (b[19] << 4) | (b[20] >> 4),
    channels: ((b[20] >> 1) & 0x07) + 1,
    bitsPerSample: (((b[20] & 0x01) << 4) | (b[21] >> 4)) + 1,
    totalSamples: (b[21] & 0x0f) * 4294967296 + lo,
  };
}

/** CRC-8 of b[start, end): polynomial 0x07, initial value 0 (the frame header check). */
export function crc8(b: Uint8Array, start = 0, end = b.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= b[i];
    for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** CRC-16 of b[start, end): polynomial 0x8005, initial value 0 (the frame footer check). */
export function crc16(b: Uint8Array, start = 0, end = b.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= b[i] << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** A frame header whose sync, reserved bits and CRC-8 were checked. */
export interface FlacFrameHeader {
  /** Blocking strategy bit: the number is a sample number (true) or a frame number (false). */
  variableBlocking: boolean;
  /** The coded frame number (fixed blocking) or first sample number (variable blocking). */
  number: number;
  blockSize: number;
  sampleRate: number;
  /** 0-7: that many plus one independent channels; 8 left/side, 9 side/right, 10 mid/side. */
  channelAssignment: number;
  channels: number;
  bitsPerSample: number;
  /** Header length in bytes, CRC-8 included. */
  length: number;
}

const RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, -1, 16, 20, 24, 32]; // -1: reserved

/** Read the UTF-8-style coded number at b[at]: [value, byte length], or null if malformed. */
function readCodedNumber(b: Uint8Array, at: number, maxBytes: number): [number, number] | null {
  const first = b[at];
  if (first === undefined) return null;
  if (first < 0x80) return [first, 1];
  let n = 0; // count of leading one bits = total byte count
  while (n < 8 && first & (0x80 >> n)) n++;
  if (n < 2 || n > 7 || n > maxBytes || at + n > b.length) return null;
  let v = first & (0xff >> (n + 1));
  for (let i = 1; i < n; i++) {
    const c = b[at + i];
    if ((c & 0xc0) !== 0x80) return null;
    v = v * 64 + (c & 0x3f); // NOTE: up to 36 bits, so multiply; a 32-bit shift would overflow.
  }
  return [v, n];
}

/** Parse the frame header at b[at]; null unless sync, codes, reserved bits and CRC-8 are valid. */
export function parseFrameHeader(b: Uint8Array, at: number, info: Pick<FlacStreamInfo, 'sampleRate' | 'bitsPerSample'>): FlacFrameHeader | null {
  if (at < 0 || at + 6 > b.length || b[at] !== 0xff || (b[at + 1] & 0xfe) !== 0xf8) return null;
  const variableBlocking = (b[at + 1] & 0x01) === 1;
  const bsCode = b[at + 2] >> 4;
  const srCode = b[at + 2] & 0x0f;
  const channelAssignment = b[at + 3] >> 4;
  const ssCode = (b[at + 3] >> 1) & 0x07;
  if (bsCode === 0 || srCode === 15 || channelAssignment > 10 || SAMPLE_SIZES[ssCode] < 0 || (b[at + 3] & 0x01) !== 0) return null;
  // A frame number takes at most 31 bits (6 bytes), a sample number 36 bits (7 bytes).
  const coded = readCodedNumber(b, at + 4, variableBlocking ? 7 : 6);
  if (!coded) return null;
  let p = at + 4 + coded[1];
  const extra = (bsCode === 6 ? 1 : bsCode === 7 ? 2 : 0) + (srCode === 12 ? 1 : srCode >= 13 ? 2 : 0);
  if (p + extra + 1 > b.length) return null;
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) blockSize = b[p++] + 1;
  else if (bsCode === 7) { blockSize = ((b[p] << 8) | b[p + 1]) + 1; p += 2; }
  else blockSize = 256 << (bsCode - 8);
  let sampleRate: number;
  if (srCode === 0) sampleRate = info.sampleRate;
  else if (srCode < 12) sampleRate = RATES[srCode];
  else if (srCode === 12) sampleRate = b[p++] * 1000;
  else { sampleRate = ((b[p] << 8) | b[p + 1]) * (srCode === 14 ? 10 : 1); p += 2; }
  if (crc8(b, at, p) !== b[p]) return null;
  return {
    variableBlocking, number: coded[0], blockSize, sampleRate, channelAssignment,
    channels: channelAssignment < 8 ? channelAssignment + 1 : 2,
    bitsPerSample: ssCode === 0 ? info.bitsPerSample : SAMPLE_SIZES[ssCode],
    length: p + 1 - at,
  };
}

/** MSB-first bit reader over b[start, end); every read past `end` returns null. */
class BitReader {
  private pos: number;
  constructor(private readonly b: Uint8Array, start: number, private readonly end: number) { this.pos = start * 8; }
  /** Read n <= 33 bits as an unsigned number. */
  bits(n: number): number | null {
    if (this.pos + n > this.end * 8) return null;
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) v = v * 2 + ((this.b[this.pos >> 3] >> (7 - (this.pos & 7))) & 1);
    return v;
  }
  /** Skip to the next byte boundary; false if the skipped padding bits are not zero. */
  align(): boolean {
    const pad = (8 - (this.pos & 7)) & 7;
    return this.bits(pad) === 0;
  }
  /** The byte position (after align). */
  get byte(): number { return this.pos >> 3; }
}

/** Values of the frame's subframes if every one is CONSTANT and they end exactly at `footer`. */
function constantSubframes(b: Uint8Array, h: FlacFrameHeader, start: number, footer: number): number[] | null {
  const r = new BitReader(b, start, footer);
  const values: number[] = [];
  for (let c = 0; c < h.channels; c++) {
    // The side channel of a decorrelated stereo frame carries one extra bit.
    const side = (h.channelAssignment === 8 && c === 1) || (h.channelAssignment === 9 && c === 0) || (h.channelAssignment === 10 && c === 1);
    const bps = h.bitsPerSample + (side ? 1 : 0);
    // Subframe header: a zero bit, 6 type bits (000000 = CONSTANT), the wasted-bits flag.
    if (r.bits(1) !== 0 || r.bits(6) !== 0) return null;
    const flag = r.bits(1);
    if (flag === null) return null;
    let wasted = 0;
    if (flag === 1) {
      // Unary: k - 1 zero bits, then a one.
      wasted = 1;
      for (let bit = r.bits(1); bit === 0; bit = r.bits(1)) wasted++;
      if (wasted >= bps) return null;
    }
    const n = bps - wasted;
    const u = r.bits(n);
    if (u === null) return null;
    values.push((u >= 2 ** (n - 1) ? u - 2 ** n : u) * 2 ** wasted); // two's complement, then shift
  }
  return r.align() && r.byte === footer ? values : null;
}

/** The last frame of a stream, checked to run to the end of the bytes with a valid CRC-16. */
export interface FlacFinalFrame {
  /** Byte offset of the frame's sync code. */
  offset: number;
  header: FlacFrameHeader;
  /** Each subframe's value when all are CONSTANT (decorrelation not undone), else null. */
  constants: number[] | null;
}

// Largest CONSTANT-only frame: a 16-byte header, 8 subframes of at most 8 + 33 + 33 bits
// (header, unary wasted bits, value at 32 bits plus the side bit), the 2-byte footer.
const MAX_CONSTANT_FRAME = 16 + 74 + 2;

/**
 * Find a frame that ends exactly at the end of b: scanning back from the end, the first sync code
 * with a valid header (CRC-8) and a valid CRC-16 footer over the bytes up to the end.
 * NOTE: the scan covers only the last MAX_CONSTANT_FRAME bytes, so a longer final frame is not
 * found; callers use this to prove a tail of CONSTANT frames, which always fits.
 */
export function findFinalFrame(b: Uint8Array, info: Pick<FlacStreamInfo, 'sampleRate' | 'bitsPerSample'>): FlacFinalFrame | null {
  const footer = b.length - 2;
  const lowest = Math.max(0, b.length - MAX_CONSTANT_FRAME);
  for (let at = footer - 7; at >= lowest; at--) {
    const header = parseFrameHeader(b, at, info);
    if (!header || at + header.length > footer) continue;
    if (crc16(b, at, footer) !== ((b[footer] << 8) | b[footer + 1])) continue;
    return { offset: at, header, constants: constantSubframes(b, header, at + header.length, footer) };
  }
  return null;
}

/**
 * How many samples of digital silence end the stream after the first `decoded` samples: the
 * missing count (STREAMINFO total minus `decoded`) when one final frame, complete by CRC-16, starts
 * at sample `decoded`, holds exactly the missing samples, matches STREAMINFO's rate, channels and
 * sample size, and has only CONSTANT subframes of value 0; otherwise 0.
 */
export function silentTailLength(b: Uint8Array, decoded: number): number {
  const info = parseStreamInfo(b);
  if (!info) return 0;
  const missing = info.totalSamples - decoded;
  if (missing <= 0) return 0;
  const f = findFinalFrame(b, info);
  if (!f || !f.constants || f.constants.some((v) => v !== 0)) return 0;
  const h = f.header;
  if (h.channels !== info.channels || h.sampleRate !== info.sampleRate || h.bitsPerSample !== info.bitsPerSample) return 0;
  // NOTE: a fixed-blocking frame number counts blocks of STREAMINFO's block size, which is only
  // well defined when min == max (only the last block may be shorter).
  if (!h.variableBlocking && info.minBlockSize !== info.maxBlockSize) return 0;
  const first = h.variableBlocking ? h.number : h.number * info.maxBlockSize;
  return first === decoded && h.blockSize === missing ? missing : 0;
}
