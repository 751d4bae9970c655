// What the worker does with a dataset before training: a text-only model leaves out the records
// that need audio or images, and says how many.
import { describe, expect, it } from 'vitest';
import { memorySource } from '../src/models/io/file-source';
import { isTextOnly, withoutMedia } from './train-job';

describe('text-only models and media records', () => {
  it('llama and qwen2 are text-only, Whisper is not', async () => {
    const folder = (t: string) => memorySource({ 'config.json': JSON.stringify({ model_type: t }) });
    expect(await isTextOnly(folder('llama'))).toBe(true);
    expect(await isTextOnly(folder('qwen2'))).toBe(true);
    expect(await isTextOnly(folder('whisper'))).toBe(false);
  });

  it('leaves out records with audio or non-text message parts, and fails when nothing is left', () => {
    const text = { prompt: 'a', chosen: ' b', rejected: ' c' };
    const chat = { prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant', content: 'a' }], rejected: [{ role: 'assistant', content: 'b' }] };
    const parts = { ...chat, prompt: [{ role: 'user', content: [{ type: 'image' as const }, { type: 'text' as const, text: 'What is this?' }] }] };
    const textParts = { ...chat, prompt: [{ role: 'user', content: [{ type: 'text' as const, text: 'q' }] }] };
    const audio = { ...text, audio: 'a.flac' };
    expect(withoutMedia([text, chat, textParts], 'd.jsonl')).toEqual({ examples: [text, chat, textParts], left: '' });
    expect(withoutMedia([text, parts, chat, audio], 'd.jsonl')).toEqual({ examples: [text, chat], left: '2 records with audio or images left out (the model is text-only)' });
    expect(withoutMedia([audio, text], 'd.jsonl').left).toBe('1 record with audio or images left out (the model is text-only)');
    expect(() => withoutMedia([audio, parts], 'd.jsonl')).toThrow('d.jsonl: every record carries audio or images, but the model is text-only');
  });
});
