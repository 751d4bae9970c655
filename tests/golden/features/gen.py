"""Golden log-mel features (and resampled signals) for src/data/audio; run with /usr/bin/python3.

An independent pure-NumPy implementation of Whisper's front end: np.fft.rfft, np.pad(mode='reflect'),
its own Slaney mel filterbank (librosa.filters.mel(htk=False, norm='slaney') semantics, written
from the formulas). A second implementation with torch.stft (as openai/whisper's
log_mel_spectrogram) is run as a cross-check and the largest difference is printed.
Resampling goldens come from scipy.signal.resample_poly (window=('kaiser', 5.0), its defaults).

Signals are defined by formula in signals.ts and mirrored here exactly (xorshift32 noise).
Writes <case>.f32 (little-endian float32) and manifest.json next to this file.
"""
import json
import math
import os

import numpy as np
import scipy.signal
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def xorshift_noise(n, seed):
    out = np.empty(n)
    s = seed & 0xFFFFFFFF
    for i in range(n):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out[i] = s / 4294967296 - 0.5
    return out


def signal(name, sr=16000):
    if name == 'chirp':
        T, f0, f1 = 1, 50, 7950
        x = np.arange(sr * T) / sr
        y = 0.6 * np.sin(2 * np.pi * (f0 * x + (f1 - f0) * x * x / (2 * T)))
    elif name == 'noise':
        y = 0.8 * xorshift_noise(sr // 2, 12345)
    elif name == 'speech':
        n = xorshift_noise(sr, 777)
        x = np.arange(sr) / sr
        phase = 2 * np.pi * (120 * x + (30 / (4 * np.pi)) * (1 - np.cos(4 * np.pi * x)))
        v = sum(np.sin(k * phase) / k for k in range(1, 21))
        env = 0.5 * (1 - np.cos(2 * np.pi * 3 * x))
        fric = np.where(((x >= 0.4) & (x < 0.55)) | ((x >= 0.85) & (x < 0.95)), 0.3 * n, 0.0)
        y = 0.25 * env * v + fric
    elif name == 'short':
        x = np.arange(3 * sr // 10) / sr
        y = 0.4 * np.sin(2 * np.pi * 300 * x) + 0.2 * np.sin(2 * np.pi * 2500 * x)
    elif name == 'mix':
        n = xorshift_noise(sr // 4, 99)
        x = np.arange(len(n)) / sr
        y = 0.5 * np.sin(2 * np.pi * 1000 * x) + 0.3 * np.sin(2 * np.pi * 5000 * x + 0.3) + 0.1 * n
    else:
        raise ValueError(name)
    return y.astype(np.float32)


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(f < 1000.0, 3.0 * f / 200.0, 15.0 + np.log(np.maximum(f, 1e-12) / 1000.0) / logstep)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(m < 15.0, 200.0 * m / 3.0, 1000.0 * np.exp(logstep * (m - 15.0)))


def slaney_mel(sr, n_fft, n_mels, fmin=0.0, fmax=8000.0):
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    left, center, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    tri = np.maximum(0.0, np.minimum((freqs - left) / (center - left), (right - freqs) / (right - center)))
    return tri * (2.0 / (right - left))


def log_mel_numpy(x, n_mels, n_samples, n_fft=400, hop=160, do_normalize=False):
    x = x.astype(np.float64)
    if do_normalize:
        m = min(len(x), n_samples)
        head = x[:m]
        x = (head - head.mean()) / np.sqrt(head.var() + 1e-7)
    x = np.concatenate([x[:n_samples], np.zeros(max(0, n_samples - len(x)))])
    xp = np.pad(x, n_fft // 2, mode='reflect')
    n_frames = 1 + (len(xp) - n_fft) // hop
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann
    frames = xp[np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mel = slaney_mel(16000, n_fft, n_mels) @ power.T
    mel = mel[:, :-1]  # drop the last frame
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, log.max() - 8.0)
    return (log + 4.0) / 4.0


def log_mel_torch(x, n_mels, n_samples, n_fft=400, hop=160):
    """openai/whisper's recipe, re-typed: torch.stft, magnitudes[..., :-1] ** 2, float64 here."""
    a = torch.from_numpy(np.concatenate([x[:n_samples], np.zeros(max(0, n_samples - len(x)), np.float32)]).astype(np.float64))
    stft = torch.stft(a, n_fft, hop, window=torch.hann_window(n_fft, dtype=torch.float64), center=True, pad_mode='reflect', return_complex=True)
    mags = stft[..., :-1].abs() ** 2
    filt = torch.from_numpy(slaney_mel(16000, n_fft, n_mels))
    log = torch.clamp(filt @ mags, min=1e-10).log10()
    log = torch.maximum(log, log.max() - 8.0)
    return ((log + 4.0) / 4.0).numpy()


CASES = [
    # name, signal, feature_size, chunk_length (s), do_normalize, frames stored (None = all)
    ('chirp-80', 'chirp', 80, 1, False, None),
    ('noise-128', 'noise', 128, 0.5, False, None),
    ('speech-80', 'speech', 80, 1, False, None),
    ('speech-128-trim', 'speech', 128, 0.5, False, None),  # 1 s trimmed to 0.5 s
    ('short-80-30s', 'short', 80, 30, False, 40),  # padded to 30 s: 3000 frames, the rest is the floor
    ('short-80-norm', 'short', 80, 1, True, 40),
]

RESAMPLE = [('mix', 44100, 160, 441), ('mix', 48000, 1, 3), ('mix', 8000, 2, 1), ('mix', 22050, 320, 441)]


def main():
    manifest = {'features': [], 'resample': [], 'mel80': []}
    worst = 0.0
    for name, sig, n_mels, chunk, norm, stored in CASES:
        x = signal(sig)
        n_samples = int(round(chunk * 16000))
        feats = log_mel_numpy(x, n_mels, n_samples, do_normalize=norm)
        if not norm:
            worst = max(worst, float(np.abs(feats - log_mel_torch(x, n_mels, n_samples)).max()))
        n_frames = feats.shape[1]
        keep = feats if stored is None else feats[:, :stored]
        np.ascontiguousarray(keep, dtype='<f4').tofile(os.path.join(HERE, f'{name}.f32'))
        entry = {'name': name, 'signal': sig, 'feature_size': n_mels, 'chunk_length': chunk, 'do_normalize': norm,
                 'n_frames': n_frames, 'stored_frames': keep.shape[1], 'file': f'{name}.f32'}
        if stored is not None:
            tail = feats[:, stored:]
            assert np.all(tail == tail.flat[0]), 'frames past the stored ones should all be the floor'
            entry['tail_value'] = float(tail.flat[0])
        manifest['features'].append(entry)
    for sig, sr, up, down in RESAMPLE:
        x = signal(sig, sr)
        y = scipy.signal.resample_poly(x.astype(np.float64), up, down)
        name = f'resample-{sig}-{sr}'
        np.ascontiguousarray(y, dtype='<f4').tofile(os.path.join(HERE, f'{name}.f32'))
        manifest['resample'].append({'signal': sig, 'in_rate': sr, 'up': up, 'down': down, 'n_out': len(y), 'file': f'{name}.f32'})
    f = slaney_mel(16000, 400, 80)
    for row in f:
        nz = np.nonzero(row)[0]
        manifest['mel80'].append({'start': int(nz[0]), 'end': int(nz[-1]) + 1, 'sum': float(row.sum()), 'peak': float(row.max())})
    with open(os.path.join(HERE, 'manifest.json'), 'w') as fh:
        json.dump(manifest, fh, indent=1)
    print(f'numpy vs torch.stft log-mel: max |diff| = {worst:.3g}')


if __name__ == '__main__':
    main()
