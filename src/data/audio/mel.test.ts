import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hzToMel, melFilterBank, melToHz, sparseMelFilters } from './mel';

describe('mel scale and filterbank', () => {
  it('Slaney scale: linear below 1 kHz, 27 mels per ln(6.4) above, and invertible', () => {
    expect(hzToMel(600)).toBeCloseTo(9, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12);
    for (const f of [0, 123, 999, 1000, 4321, 8000]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 8);
    expect(melToHz(hzToMel(3000, true), true)).toBeCloseTo(3000, 8);
  });

  it('matches the published values of HF test_mel_filter_bank_slaney_norm (16 bins, 4 mels, sr 4000)', () => {
    // transformers tests/utils/test_audio_utils.py, an independent implementation's output, [bin][mel].
    const expected = [
      [0, 0, 0, 0], [1.19217795e-3, 0, 0, 0], [2.38435591e-3, 0, 0, 0], [2.40387905e-3, 5.86232616e-4, 0, 0],
      [1.2117011e-3, 1.77821783e-3, 0, 0], [1.95231437e-5, 2.97020305e-3, 0, 0], [0, 1.81763684e-3, 1.04857612e-3, 0],
      [0, 6.26036972e-4, 2.11460963e-3, 0], [0, 0, 2.26505954e-3, 3.07332945e-4], [0, 0, 1.40202503e-3, 9.54861093e-4],
      [0, 0, 5.38990521e-4, 1.60238924e-3], [0, 0, 0, 1.83458185e-3], [0, 0, 0, 1.37593638e-3], [0, 0, 0, 9.17290923e-4],
      [0, 0, 0, 4.58645462e-4], [0, 0, 0, 0],
    ];
    // 16 bins over 0..2000 Hz is n_fft = 30 at 4 kHz.
    const fb = melFilterBank({ sampleRate: 4000, nFft: 30, nMels: 4, fMax: 2000 });
    for (let k = 0; k < 16; k++) for (let m = 0; m < 4; m++) expect(fb[m][k]).toBeCloseTo(expected[k][m], 10);
  });

  it('Whisper 80-bin bank: spans, areas and peaks as the NumPy generator', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../tests/golden/features/manifest.json', import.meta.url), 'utf8')) as {
      mel80: { start: number; end: number; sum: number; peak: number }[];
    };
    const sparse = sparseMelFilters(melFilterBank({ sampleRate: 16000, nFft: 400, nMels: 80, fMax: 8000 }));
    expect(sparse).toHaveLength(80);
    sparse.forEach((f, m) => {
      const ref = manifest.mel80[m];
      expect([f.start, f.start + f.weights.length]).toEqual([ref.start, ref.end]);
      expect(f.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(ref.sum, 12);
      expect(Math.max(...f.weights)).toBeCloseTo(ref.peak, 12);
    });
  });
});
