import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16, crc8, findFinalFrame, parseFrameHeader, parseStreamInfo, silentTailLength } from './flac-frames';

const dir = new URL('../../../tests/fixtures/audio/', import.meta.url);
const load = (f: string) => new Uint8Array(readFileSync(new URL(f, dir)));
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const info = { sampleRate: 16000, bitsPerSample: 16 };

/** Pack [value, width] fields MSB first (negative values as two's complement), zero-padded to bytes. */
function packBits(fields: [number, number][]): number[] {
  const bits: number[] = [];
  for (const [v, w] of fields) {
    const u = v < 0 ? v + 2 ** w : v;
    for (let i = w - 1; i >= 0; i--) bits.push(Math.floor(u / 2 ** i) % 2);
  }
  while (bits.length % 8) bits.push(0);
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0));
  return out;
}

/** A frame: header bytes (before the CRC-8), then subframe bit fields, then the CRC-16 footer. */
function frame(head: number[], sub: [number, number][]): Uint8Array {
  const h = [...head, crc8(Uint8Array.from(head))];
  const body = [...h, ...packBits(sub)];
  const c = crc16(Uint8Array.from(body));
  return Uint8Array.from([...body, c >> 8, c & 0xff]);
}

/** 'fLaC' + a 34-byte STREAMINFO block (last metadata block, MD5 zero). */
function streamInfo(min: number, max: number, rate: number, channels: number, bps: number, total: number): Uint8Array {
  const block = [...packBits([[min, 16], [max, 16], [0, 24], [0, 24], [rate, 20], [channels - 1, 3], [bps - 1, 5], [total, 36]]), ...new Array<number>(16).fill(0)];
  return Uint8Array.from([...ascii('fLaC'), 0x80, 0, 0, 34, ...block]);
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
// Mono 16-bit, frame number 4, block size 416 (code 7: 16-bit explicit), rate code 5 (16 kHz).
const HEAD = [0xff, 0xf8, 0x75, 0x08, 0x04, 0x01, 0x9f];
const ZERO: [number, number][] = [[0, 1], [0, 6], [0, 1], [0, 16]]; // CONSTANT, no wasted bits, value 0
// The last frame of a sox/libFLAC 1.4.2 file padded with 0.25 s of silence, byte for byte.
const LIBFLAC = [0xff, 0xf8, 0x75, 0x08, 0x04, 0x01, 0x9f, 0x9d, 0x00, 0x00, 0x00, 0x0c, 0xc9];

describe('CRCs', () => {
  it('match the catalogued check values and a libFLAC frame', () => {
    // CRC-8/SMBUS and CRC-16/UMTS (a.k.a. BUYPASS) of "123456789".
    expect(crc8(ascii('123456789'))).toBe(0xf4);
    expect(crc16(ascii('123456789'))).toBe(0xfee8);
    const f = Uint8Array.from(LIBFLAC);
    expect(crc8(f, 0, 7)).toBe(0x9d);
    expect(crc16(f, 0, 11)).toBe(0x0cc9);
    expect(Array.from(frame(HEAD, ZERO))).toEqual(LIBFLAC);
  });
});

describe('STREAMINFO', () => {
  it('reads the fixtures and rejects other data', () => {
    expect(parseStreamInfo(load('silent-tail-250ms.flac'))).toEqual({ minBlockSize: 4096, maxBlockSize: 4096, sampleRate: 16000, channels: 1, bitsPerSample: 16, totalSamples: 16800 });
    expect(parseStreamInfo(load('tone-s24.flac'))).toMatchObject({ sampleRate: 16000, channels: 2, bitsPerSample: 24, totalSamples: 1600 });
    expect(parseStreamInfo(streamInfo(4608, 4608, 655350, 8, 32, 2 ** 36 - 1))).toMatchObject({ sampleRate: 655350, channels: 8, bitsPerSample: 32, totalSamples: 2 ** 36 - 1 });
    expect(parseStreamInfo(load('tone-s16.wav'))).toBeNull();
    expect(parseStreamInfo(load('tone-s16.flac').subarray(0, 41))).toBeNull();
  });
});

describe('frame header', () => {
  it('parses a libFLAC header', () => {
    expect(parseFrameHeader(Uint8Array.from(LIBFLAC), 0, info)).toEqual({
      variableBlocking: false, number: 4, blockSize: 416, sampleRate: 16000, channelAssignment: 0, channels: 1, bitsPerSample: 16, length: 8,
    });
  });

  it('decodes every block size, sample rate and sample size code', () => {
    const parse = (h: number[]) => parseFrameHeader(Uint8Array.from([...h, crc8(Uint8Array.from(h))]), 0, info);
    const cases: [number[], Record<string, number | boolean>][] = [
      [[0xff, 0xf8, 0x10, 0x00, 0x00], { blockSize: 192, sampleRate: 16000, bitsPerSample: 16, length: 6 }], // codes 0: STREAMINFO
      [[0xff, 0xf8, 0x39, 0x12, 0x00], { blockSize: 1152, sampleRate: 44100, bitsPerSample: 8 }],
      [[0xff, 0xf8, 0x5a, 0x14, 0x00], { blockSize: 4608, sampleRate: 48000, bitsPerSample: 12 }],
      [[0xff, 0xf8, 0x8b, 0x1a, 0x00], { blockSize: 256, sampleRate: 96000, bitsPerSample: 20 }],
      [[0xff, 0xf8, 0xf3, 0x1c, 0x00], { blockSize: 32768, sampleRate: 192000, bitsPerSample: 24 }],
      [[0xff, 0xf8, 0x64, 0x7e, 0x00, 0x00], { blockSize: 1, sampleRate: 8000, bitsPerSample: 32, channels: 8, length: 7 }],
      [[0xff, 0xf8, 0x6c, 0x88, 0x00, 0xff, 0x2c], { blockSize: 256, sampleRate: 44000, channelAssignment: 8, channels: 2, length: 8 }],
      [[0xff, 0xf8, 0x7d, 0xa8, 0x00, 0xff, 0xff, 0xac, 0x44], { blockSize: 65536, sampleRate: 44100, channelAssignment: 10, length: 10 }],
      [[0xff, 0xf8, 0x1e, 0x98, 0x00, 0x11, 0x3a], { sampleRate: 44100, channelAssignment: 9 }], // code 14: tens of Hz
    ];
    for (const [h, want] of cases) expect(parse(h), h.map((x) => x.toString(16)).join(' ')).toMatchObject(want);
  });

  it('decodes the UTF-8-coded frame and sample numbers', () => {
    const parse = (h: number[]) => parseFrameHeader(Uint8Array.from([...h, crc8(Uint8Array.from(h))]), 0, info);
    expect(parse([0xff, 0xf8, 0x10, 0x00, 0xc2, 0x80])).toMatchObject({ number: 128, length: 7 });
    expect(parse([0xff, 0xf8, 0x10, 0x00, 0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf])).toMatchObject({ number: 2 ** 31 - 1, length: 11 });
    // 36-bit sample number 2^35 + 5 (7 bytes) with variable blocking.
    const n = [0xfe, 0xa0, 0x80, 0x80, 0x80, 0x80, 0x85];
    expect(parse([0xff, 0xf9, 0x10, 0x00, ...n])).toMatchObject({ variableBlocking: true, number: 2 ** 35 + 5, length: 12 });
    expect(parse([0xff, 0xf8, 0x10, 0x00, ...n])).toBeNull(); // a frame number has at most 6 bytes
    expect(parse([0xff, 0xf8, 0x10, 0x00, 0xc2, 0x00])).toBeNull(); // bad continuation byte
    expect(parse([0xff, 0xf8, 0x10, 0x00, 0x80])).toBeNull(); // continuation byte first
  });

  it('rejects a bad CRC-8, reserved codes and bits, and a cut header', () => {
    const good = [0xff, 0xf8, 0x75, 0x08, 0x04, 0x01, 0x9f];
    const parse = (h: number[]) => parseFrameHeader(Uint8Array.from([...h, crc8(Uint8Array.from(h))]), 0, info);
    expect(parse(good)).not.toBeNull();
    expect(parseFrameHeader(Uint8Array.from([...good, 0x9e]), 0, info)).toBeNull();
    expect(parseFrameHeader(Uint8Array.from(LIBFLAC), 0, info)).not.toBeNull();
    expect(parseFrameHeader(Uint8Array.from(LIBFLAC.slice(0, 7)), 0, info)).toBeNull();
    for (const [i, v] of [[1, 0xfa], [2, 0x05], [2, 0x7f], [3, 0xb8], [3, 0x06], [3, 0x09]]) {
      const h = good.slice();
      h[i] = v;
      expect(parse(h), `byte ${i} = ${v.toString(16)}`).toBeNull();
    }
  });
});

describe('final frame', () => {
  it('finds a CONSTANT-zero frame at the end, after other bytes', () => {
    const b = cat(new Uint8Array(50).fill(0xff), frame(HEAD, ZERO));
    expect(findFinalFrame(b, info)).toMatchObject({ offset: 50, header: { number: 4, blockSize: 416 }, constants: [0] });
  });

  it('reads non-zero, wasted-bits and side-channel constants', () => {
    expect(findFinalFrame(frame(HEAD, [[0, 1], [0, 6], [0, 1], [-3, 16]]), info)?.constants).toEqual([-3]);
    // Wasted-bits flag, unary k - 1 = 2 zeros then a one (k = 3): 13 value bits, shifted left by 3.
    expect(findFinalFrame(frame(HEAD, [[0, 1], [0, 6], [1, 1], [0b001, 3], [5, 13]]), info)?.constants).toEqual([40]);
    // Mid/side stereo: the side channel (second) has 17 bits.
    const ms = [0xff, 0xf8, 0x75, 0xa8, 0x04, 0x01, 0x9f];
    expect(findFinalFrame(frame(ms, [...ZERO, [0, 1], [0, 6], [0, 1], [-1, 17]]), info)?.constants).toEqual([0, -1]);
    // Read with 16 bits for the side channel, the subframes would not end at the footer.
    expect(findFinalFrame(frame(ms, [...ZERO, ...ZERO]), info)?.constants).toBeNull();
  });

  it('reports a non-CONSTANT subframe, a wrong length and non-zero padding as not constant', () => {
    expect(findFinalFrame(frame(HEAD, [[0, 1], [1, 6], [0, 1], [0, 16]]), info)?.constants).toBeNull(); // VERBATIM
    expect(findFinalFrame(frame(HEAD, [...ZERO, [0, 8]]), info)?.constants).toBeNull(); // a byte too many
    // Mid/side subframes take 24 + 25 bits: the 7 padding bits before the footer must be zero.
    const ms = [0xff, 0xf8, 0x75, 0xa8, 0x04, 0x01, 0x9f];
    expect(findFinalFrame(frame(ms, [...ZERO, [0, 1], [0, 6], [0, 1], [0, 17], [0, 7]]), info)?.constants).toEqual([0, 0]);
    expect(findFinalFrame(frame(ms, [...ZERO, [0, 1], [0, 6], [0, 1], [0, 17], [1, 7]]), info)?.constants).toBeNull();
  });

  it('finds nothing in a frame cut before its footer or with a bad CRC-16', () => {
    const f = frame(HEAD, ZERO);
    expect(findFinalFrame(f.subarray(0, f.length - 1), info)).toBeNull();
    expect(findFinalFrame(f.subarray(0, f.length - 2), info)).toBeNull();
    const bad = f.slice();
    bad[bad.length - 1] ^= 1;
    expect(findFinalFrame(bad, info)).toBeNull();
  });
});

describe('silentTailLength', () => {
  const si = streamInfo(4096, 4096, 16000, 1, 16, 16800);
  const file = (...frames: Uint8Array[]) => cat(si, new Uint8Array(100), ...frames);

  it('proves a final zero frame that starts at the decoded count and fills the gap', () => {
    expect(silentTailLength(file(frame(HEAD, ZERO)), 16384)).toBe(416);
    expect(silentTailLength(load('silent-tail-250ms.flac'), 16384)).toBe(416);
    expect(silentTailLength(load('silent-tail-600ms.flac'), 20480)).toBe(1920);
    expect(silentTailLength(load('silent-tail-1000ms.flac'), 28672)).toBe(128);
    // Variable blocking: the coded number is the first sample, 16384 = 0xe4 0x80 0x80.
    const vb = [0xff, 0xf9, 0x75, 0x08, 0xe4, 0x80, 0x80, 0x01, 0x9f];
    expect(silentTailLength(file(frame(vb, ZERO)), 16384)).toBe(416);
  });

  it('refuses anything else', () => {
    const f = frame(HEAD, ZERO);
    expect(silentTailLength(file(f), 16800)).toBe(0); // nothing missing
    expect(silentTailLength(file(f), 16383)).toBe(0); // the frame does not start where decoding stopped
    expect(silentTailLength(file(f), 12288)).toBe(0); // more missing than the frame holds
    const withTotal = (total: number) => cat(streamInfo(4096, 4096, 16000, 1, 16, total), new Uint8Array(100), f);
    expect(silentTailLength(withTotal(16801), 16384)).toBe(0); // right start, but one sample more is missing
    expect(silentTailLength(withTotal(12288 + 416), 12288)).toBe(0); // right count, but the frame is block 4, not 3
    expect(silentTailLength(file(f.subarray(0, f.length - 1)), 16384)).toBe(0); // cut before the footer
    expect(silentTailLength(file(frame(HEAD, [[0, 1], [0, 6], [0, 1], [1, 16]])), 16384)).toBe(0); // constant 1
    expect(silentTailLength(file(frame(HEAD, [[0, 1], [1, 6], [0, 1], [0, 16]])), 16384)).toBe(0); // VERBATIM
    const stereo = [0xff, 0xf8, 0x75, 0x18, 0x04, 0x01, 0x9f];
    expect(silentTailLength(file(frame(stereo, [...ZERO, ...ZERO])), 16384)).toBe(0); // 2 channels, STREAMINFO says 1
    const rate = [0xff, 0xf8, 0x74, 0x08, 0x04, 0x01, 0x9f];
    expect(silentTailLength(file(frame(rate, ZERO)), 16384)).toBe(0); // 8 kHz frame in a 16 kHz stream
    const varSizes = cat(streamInfo(1024, 4096, 16000, 1, 16, 16800), new Uint8Array(100), f);
    expect(silentTailLength(varSizes, 16384)).toBe(0); // fixed blocking but min != max block size
    expect(silentTailLength(load('tone-s16.flac'), 1000)).toBe(0); // the last frame carries audio
  });
});
