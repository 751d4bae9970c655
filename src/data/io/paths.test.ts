import { describe, expect, it } from 'vitest';
import { isAbsolutePath, joinPath, normalizeRelative, PathError, remapPrefix, resolveInRoot } from './paths';

describe('paths', () => {
  it('normalizes relative paths and folds ..', () => {
    expect(normalizeRelative('./a//b/./c/../d')).toBe('a/b/d');
    expect(normalizeRelative('a\\b\\c.flac')).toBe('a/b/c.flac');
    expect(joinPath('lists', '../audio/x.wav')).toBe('audio/x.wav');
  });

  it('rejects paths that climb out of the root', () => {
    for (const p of ['../../etc/passwd', '..', 'a/../../b', 'a\\..\\..\\b']) {
      expect(() => resolveInRoot(p)).toThrow(PathError);
      expect(() => resolveInRoot(p)).toThrow(/escapes the dataset root/);
    }
    expect(() => resolveInRoot('../x.wav', 'lists/deep')).not.toThrow();
    expect(resolveInRoot('../x.wav', 'lists/deep')).toBe('lists/x.wav');
    expect(() => resolveInRoot('../../../x.wav', 'lists/deep')).toThrow(/escapes/);
    expect(() => resolveInRoot('a\0b')).toThrow(PathError);
  });

  it('accepts absolute paths only under a known root', () => {
    expect(isAbsolutePath('/etc/passwd') && isAbsolutePath('C:\\x') && isAbsolutePath('\\\\srv\\share') && !isAbsolutePath('a/b')).toBe(true);
    expect(resolveInRoot('/data/ls/61/a.flac', '', '/data/ls')).toBe('61/a.flac');
    expect(() => resolveInRoot('/etc/passwd', '', '/data/ls')).toThrow(/outside the dataset root/);
    expect(() => resolveInRoot('/data/lsx/a.flac', '', '/data/ls')).toThrow(/outside/);
    expect(() => resolveInRoot('/data/ls/../../etc/passwd', '', '/data/ls')).toThrow(/escapes/);
    expect(() => resolveInRoot('/etc/passwd')).toThrow(/cannot be resolved inside the dataset root/);
  });

  it('remaps a leading directory, as the seed\'s update_dir does', () => {
    expect(remapPrefix('/root/data/LibriSpeech/61/a.flac', '/root/data/LibriSpeech', '')).toBe('61/a.flac');
    expect(remapPrefix('/root/data/LibriSpeech/61/a.flac', '/root/data/LibriSpeech/', '/mnt/ls')).toBe('/mnt/ls/61/a.flac');
    expect(remapPrefix('/root/data/LibriSpeechX/a.flac', '/root/data/LibriSpeech', '')).toBe('/root/data/LibriSpeechX/a.flac');
  });
});
