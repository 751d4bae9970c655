import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode';
import { crc16 } from './flac-frames';
import { sniffAudio } from './sniff';
import { fixtureTone, maxAbsDiff, rms, toneAmplitude } from './testing';
import { AudioError } from './types';

const dir = new URL('../../../tests/fixtures/audio/', import.meta.url);
const load = (f: string) => new Uint8Array(readFileSync(new URL(f, dir)));
const decode = (f: string, bytes = load(f)) => decodeAudio(bytes, { name: f });
const [L, R] = fixtureTone(16000, 1600);

describe('WAV', () => {
  // Tolerances: the quantization step of each encoding (libsndfile scales floats by 2^(b-1) - 1).
  const cases: [string, number][] = [
    ['tone-u8.wav', 1 / 128], ['tone-s16.wav', 5e-5], ['tone-s24.wav', 1e-6], ['tone-s32.wav', 1e-6],
    ['tone-f32.wav', 1e-7], ['tone-f64.wav', 1e-12], ['tone-ext-s24.wav', 1e-6], ['tone-ext-f32.wav', 1e-7],
    ['tone-ulaw.wav', 0.02], ['tone-alaw.wav', 0.02],
  ];
  for (const [file, tol] of cases) {
    it(`decodes ${file}`, async () => {
      const a = await decode(file);
      expect(a.sampleRate).toBe(16000);
      expect(a.channels).toHaveLength(2);
      expect(maxAbsDiff(a.channels[0], L)).toBeLessThan(tol);
      expect(maxAbsDiff(a.channels[1], R)).toBeLessThan(tol);
    });
  }

  it('every lossless fixture equals what libsndfile (soundfile.read) decodes, frames 96..111', async () => {
    const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, number[][]>;
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(13);
    for (const [file, chans] of Object.entries(expected)) {
      const a = await decode(file);
      expect(a.channels.length).toBe(chans.length);
      chans.forEach((want, c) => {
        // Float32 output: exact for integer PCM up to 24 bits, float32 rounding (6e-8) otherwise.
        expect(maxAbsDiff(a.channels[c].subarray(96, 112), want), `${file} channel ${c}`).toBeLessThan(6e-8);
      });
    }
  });

  it('scales 16-bit as int / 32768 exactly', async () => {
    const a = await decode('tone-s16.wav');
    const v = new DataView(load('tone-s16.wav').buffer);
    // Frame 5, right channel, after the 44-byte canonical header.
    expect(a.channels[1][5]).toBe(v.getInt16(44 + 5 * 4 + 2, true) / 32768);
  });

  it('skips other chunks (a LIST comment) and reads mono 8 kHz', async () => {
    const a = await decode('sine-8k-mono.wav');
    expect(a.sampleRate).toBe(8000);
    expect(a.channels).toHaveLength(1);
    expect(a.channels[0]).toHaveLength(800);
    expect(toneAmplitude(a.channels[0], 8000, 440)).toBeCloseTo(0.5, 2);
  });

  it('reads a streamed WAV whose data size is 0xFFFFFFFF to the end', async () => {
    const b = load('tone-s16.wav').slice();
    new DataView(b.buffer).setUint32(40, 0xffffffff, true);
    const a = await decodeAudio(b, { name: 'stream.wav' });
    expect(a.channels[0]).toHaveLength(1600);
  });

  it('rejects a WAV whose data chunk is cut, naming the file', async () => {
    const cut = load('tone-s16.wav').subarray(0, 3000);
    await expect(decodeAudio(cut, { name: 'clips/cut.wav' })).rejects.toThrow(/clips\/cut\.wav: truncated: the WAV data chunk declares 6400 bytes but only 2956 remain/);
  });

  it('rejects data that ends inside a sample frame', async () => {
    const b = load('tone-s16.wav').slice(0, 44 + 10);
    new DataView(b.buffer).setUint32(40, 10, true);
    await expect(decodeAudio(b, { name: 'odd.wav' })).rejects.toThrow(/odd\.wav: truncated: .*inside a sample frame of 4 bytes/);
  });

  it('rejects a WAV cut before its data chunk and an unsupported encoding', async () => {
    await expect(decodeAudio(load('tone-s16.wav').subarray(0, 30), { name: 'head.wav' })).rejects.toThrow(/head\.wav: truncated: the WAV fmt chunk/);
    await expect(decodeAudio(load('tone-s16.wav').subarray(0, 36), { name: 'nodata.wav' })).rejects.toThrow(/nodata\.wav: WAV file has no data chunk/);
    const adpcm = load('tone-s16.wav').slice();
    new DataView(adpcm.buffer).setUint16(20, 2, true);
    await expect(decodeAudio(adpcm, { name: 'adpcm.wav' })).rejects.toThrow(/adpcm\.wav: unsupported WAV encoding: Microsoft ADPCM/);
  });
});

describe('FLAC, MP3, Ogg Vorbis (WASM decoders)', () => {
  it('FLAC 16/24-bit: integers scaled by 2^(b-1) as libsndfile reads them', async () => {
    for (const [bits, tol] of [[16, 5e-5], [24, 1e-6]]) {
      const f = await decode(`tone-s${bits}.flac`);
      expect(f.sampleRate).toBe(16000);
      expect(f.channels[0]).toHaveLength(1600);
      expect(maxAbsDiff(f.channels[0], L)).toBeLessThan(tol);
      expect(maxAbsDiff(f.channels[1], R)).toBeLessThan(tol);
      const scale = 2 ** (bits - 1);
      expect(f.channels[0].every((x) => Number.isInteger(x * scale))).toBe(true);
    }
    // soundfile.read('tone-s16.flac', dtype='int16')[1:4, 0] (its FLAC writer rounds differently from its WAV writer).
    const f = await decode('tone-s16.flac');
    expect(Array.from(f.channels[0].subarray(1, 4), (x) => x * 32768)).toEqual([2817, 5550, 8118]);
  });

  it('rejects a FLAC cut in half', async () => {
    const b = load('tone-s24.flac');
    await expect(decodeAudio(b.subarray(0, b.length >> 1), { name: 'half.flac' })).rejects.toThrow(/half\.flac: truncated: the FLAC header declares 1600 samples but only 0/);
  });

  // Made by gen-flac-tail.sh: 0.3 s silence, 0.5 s of a 440 Hz sine, silence; the last frame is a
  // 12-13 byte CONSTANT-zero frame that the WASM decoder drops (flac-frames.ts), restored here.
  const tails: [string, number, number][] = [['silent-tail-250ms.flac', 16800, 416], ['silent-tail-600ms.flac', 22400, 1920], ['silent-tail-1000ms.flac', 28800, 128]];
  for (const [file, total, last] of tails) {
    it(`decodes ${file} to all ${total} declared samples, ending in silence`, async () => {
      const a = await decode(file);
      expect(a.sampleRate).toBe(16000);
      expect(a.channels).toHaveLength(1);
      const x = a.channels[0];
      expect(x).toHaveLength(total);
      expect(x.subarray(0, 4800).every((v) => v === 0)).toBe(true);
      expect(toneAmplitude(x, 16000, 440, 4800, 12800)).toBeGreaterThan(0.5);
      expect(x.subarray(12800).every((v) => v === 0)).toBe(true);
      expect(x.subarray(total - last).every((v) => Object.is(v, 0))).toBe(true); // the appended block
    });
  }

  it('still rejects a silent-tail file that is cut, altered or miscounted', async () => {
    const b = load('silent-tail-250ms.flac');
    const short = /truncated: the FLAC header declares 16800 samples but only 16384 could be decoded/;
    const cut = /truncated: the FLAC header declares 16800 samples but only \d+ could be decoded/;
    await expect(decodeAudio(b.subarray(0, b.length - 1), { name: 'f.flac' })).rejects.toThrow(cut); // footer cut
    await expect(decodeAudio(b.subarray(0, b.length >> 1), { name: 'f.flac' })).rejects.toThrow(cut);
    // The last frame holding the constant 1 instead of 0 (CRC-16 fixed up) is audio we cannot decode.
    const one = b.slice();
    one[one.length - 3] = 1;
    const c = crc16(one, one.length - 13, one.length - 2);
    one.set([c >> 8, c & 0xff], one.length - 2);
    await expect(decodeAudio(one, { name: 'f.flac' })).rejects.toThrow(short);
    // STREAMINFO declaring one sample more than the stream has.
    const more = b.slice();
    more[25] += 1;
    await expect(decodeAudio(more, { name: 'f.flac' })).rejects.toThrow(/declares 16801 samples but only 16384/);
  });

  it('decodes MP3 with an ID3 tag (MPEG-1, gapless) and without (MPEG-2 frame sync)', async () => {
    const a = await decode('tone-id3.mp3');
    expect(a.sampleRate).toBe(44100);
    expect(a.channels[0]).toHaveLength(22050); // the LAME header trims encoder delay and padding
    const mid = [4410, 17640] as const;
    expect(toneAmplitude(a.channels[0], 44100, 440, ...mid)).toBeCloseTo(0.5, 1);
    expect(toneAmplitude(a.channels[1], 44100, 1000, ...mid)).toBeCloseTo(0.25, 1);
    expect(toneAmplitude(a.channels[0], 44100, 1000, ...mid)).toBeLessThan(0.01);
    const b = await decode('tone-raw.mp3');
    expect(b.sampleRate).toBe(22050);
    expect(b.channels[0].length).toBeGreaterThanOrEqual(11025);
    expect(rms(b.channels[0], 2205, 8820)).toBeCloseTo(0.5 / Math.SQRT2, 1);
  });

  it('decodes Ogg Vorbis and rejects a cut one', async () => {
    const a = await decode('tone.ogg');
    expect(a.sampleRate).toBe(44100);
    expect(a.channels[0]).toHaveLength(22050);
    expect(toneAmplitude(a.channels[0], 44100, 440, 4410, 17640)).toBeCloseTo(0.5, 1);
    const b = load('tone.ogg');
    await expect(decodeAudio(b.subarray(0, b.length - 100), { name: 'cut.ogg' })).rejects.toThrow(/cut\.ogg: truncated: the Ogg stream ends inside a page/);
  });
});

describe('format sniffing and bad input', () => {
  it('names the format from magic bytes', () => {
    expect(sniffAudio(load('tone-s16.wav'), 'a')).toMatchObject({ kind: 'supported', format: 'wav' });
    expect(sniffAudio(load('tone-s16.flac'), 'a')).toMatchObject({ format: 'flac', sampleRate: 16000 });
    expect(sniffAudio(load('tone-id3.mp3'), 'a')).toMatchObject({ format: 'mp3', sampleRate: 44100 });
    expect(sniffAudio(load('tone-raw.mp3'), 'a')).toMatchObject({ format: 'mp3', sampleRate: 22050 });
    expect(sniffAudio(load('tone.ogg'), 'a')).toMatchObject({ format: 'ogg-vorbis', sampleRate: 44100 });
  });

  it('rejects a cut RIFF header', async () => {
    await expect(decodeAudio(load('tone-s16.wav').subarray(0, 8), { name: 'tiny.wav' })).rejects.toThrow('tiny.wav: truncated: a RIFF header needs 12 bytes, the file has 8');
  });

  it('rejects an empty file', async () => {
    await expect(decodeAudio(new Uint8Array(0), { name: 'empty.wav' })).rejects.toThrow('empty.wav: the file is empty (0 bytes)');
  });

  it('rejects unsupported codecs by name', async () => {
    const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    const m4a = enc('\0\0\0\x20ftypM4A \0\0\0\0');
    await expect(decodeAudio(m4a, { name: 'x.m4a' })).rejects.toThrow(/x\.m4a: unsupported audio format: MP4\/M4A \(M4A\)/);
    const opus = new Uint8Array(64);
    opus.set(enc('OggS'), 0); opus[26] = 1; opus[27] = 19; opus.set(enc('OpusHead'), 28);
    await expect(decodeAudio(opus, { name: 'x.opus' })).rejects.toThrow(/x\.opus: unsupported audio format: Ogg Opus/);
    await expect(decodeAudio(enc('hello world, not audio'), { name: 'notes.txt' })).rejects.toThrow(/notes\.txt: unrecognized audio format \(first bytes: 68 65 6c/);
    await expect(decodeAudio(Uint8Array.of(0xff, 0xf1, 0x50, 0x80), { name: 'x.aac' })).rejects.toThrow(/x\.aac: unsupported audio format: AAC/);
  });

  it('throws AudioError with the file name', async () => {
    const err = await decodeAudio(new Uint8Array(0), { name: 'e.flac' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    expect((err as AudioError).file).toBe('e.flac');
  });
});
