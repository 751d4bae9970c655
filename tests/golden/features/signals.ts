// Test signals defined by formula, mirrored exactly in gen.py, so fixtures need not store waveforms.

/** xorshift32 uniform noise in [-0.5, 0.5): integer ops only, identical in NumPy. */
export function xorshiftNoise(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** The named signal at `sr` Hz, rounded to float32 (the waveform both sides feed in). */
export function signal(name: string, sr = 16000): Float32Array {
  const t = (n: number) => Float64Array.from({ length: n }, (_, i) => i / sr);
  switch (name) {
    case 'chirp': { // linear 50 Hz -> 7950 Hz over 1 s
      const T = 1, f0 = 50, f1 = 7950;
      return Float32Array.from(t(sr * T), (x) => 0.6 * Math.sin(2 * Math.PI * (f0 * x + ((f1 - f0) * x * x) / (2 * T))));
    }
    case 'noise': {
      const n = xorshiftNoise(sr / 2, 12345);
      return Float32Array.from(n, (x) => 0.8 * x);
    }
    case 'speech': { // voiced harmonics on a wobbling f0, syllable envelope, two fricative bursts
      const n = xorshiftNoise(sr, 777);
      return Float32Array.from(t(sr), (x, i) => {
        const phase = 2 * Math.PI * (120 * x + (30 / (4 * Math.PI)) * (1 - Math.cos(4 * Math.PI * x)));
        let v = 0;
        for (let k = 1; k <= 20; k++) v += Math.sin(k * phase) / k;
        const env = 0.5 * (1 - Math.cos(2 * Math.PI * 3 * x));
        const fric = (x >= 0.4 && x < 0.55) || (x >= 0.85 && x < 0.95) ? 0.3 * n[i] : 0;
        return 0.25 * env * v + fric;
      });
    }
    case 'short': // 0.3 s of 300 Hz + 2500 Hz
      return Float32Array.from(t(Math.floor((3 * sr) / 10)), (x) => 0.4 * Math.sin(2 * Math.PI * 300 * x) + 0.2 * Math.sin(2 * Math.PI * 2500 * x));
    case 'mix': { // resampling input: tones at 1 kHz and 5 kHz plus a little noise, 0.25 s
      const n = xorshiftNoise(Math.floor(sr / 4), 99);
      return Float32Array.from(t(n.length), (x, i) => 0.5 * Math.sin(2 * Math.PI * 1000 * x) + 0.3 * Math.sin(2 * Math.PI * 5000 * x + 0.3) + 0.1 * n[i]);
    }
    default:
      throw new Error(`unknown signal ${name}`);
  }
}
