import { describe, expect, it } from 'vitest';
import { memorySource } from '../io/byte-source';
import { nodeFileSource, nodeFileTree } from '../io/fs-node';
import { loadDataset } from './load';
import { DatasetError, type LoadSummary } from './stream';
import { fixture } from './test-fixtures-node';
import { formatRecordError } from './types';

const src = (name: string) => nodeFileSource(fixture(name), name);
const root = () => nodeFileTree(fixture());
const errorLines = (s: LoadSummary): string[] => s.errors.map(formatRecordError);

describe('TRL preference records', () => {
  it('reads standard and conversational records, explicit and implicit prompts, with media paths', async () => {
    const ds = loadDataset({ format: 'preference', source: src('preference-good.jsonl'), tree: root() });
    const recs = await ds.toArray();
    expect(recs.map((r) => [r.id, r.format, r.implicitPrompt])).toEqual([
      ['std-explicit', 'standard', false], ['std-implicit', 'standard', true], ['conv-explicit', 'conversational', false],
      ['conv-implicit', 'conversational', true], ['with-media', 'conversational', false],
    ]);
    // TRL's documented examples: the shared prefix becomes the prompt; the space stays with the completion.
    expect(recs[1]).toMatchObject({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' });
    expect(recs[3]).toMatchObject({
      prompt: [{ role: 'user', content: 'What color is the sky?' }],
      chosen: [{ role: 'assistant', content: 'It is blue.' }],
      rejected: [{ role: 'assistant', content: 'It is green.' }],
    });
    expect(recs[4]).toMatchObject({ audio: ['media/a.flac'], images: ['media/red.png'], src: { file: 'preference-good.jsonl', line: 6 } });
    expect(ds.summary.warnings).toEqual([{ key: 'blank-lines', message: 'preference-good.jsonl: 1 blank line ignored', count: 1 }]);
  });

  it('skips and counts bad records with file:line: field: messages', async () => {
    const ds = loadDataset({ format: 'preference', source: src('preference-bad.jsonl'), tree: root() });
    const recs = await ds.toArray();
    expect(recs.map((r) => r.src.line)).toEqual([1]);
    const lines = errorLines(ds.summary);
    expect(lines[0]).toMatch(/^preference-bad\.jsonl:2: record: invalid JSON at column 62: Unterminated string in JSON at position \d+/);
    expect(lines.slice(1)).toEqual([
      'preference-bad.jsonl:3: chosen: expected a string or a list of messages, got number',
      'preference-bad.jsonl:4: rejected: expected a string like chosen, got a list of messages',
      'preference-bad.jsonl:5: rejected: missing',
      'preference-bad.jsonl:6: chosen[0].role: missing',
      'preference-bad.jsonl:7: prompt[0].content: expected a string or a list of content parts, got number',
      'preference-bad.jsonl:8: record: expected a JSON object, got array',
      'preference-bad.jsonl:9: audio: path "../../etc/passwd" escapes the dataset root',
    ]);
    expect(ds.summary).toMatchObject({ read: 9, kept: 1, skipped: 8, skippedByReason: { syntax: 1, field: 6, path: 1 } });
  });

  it('passes paths through unchecked when no root is set', async () => {
    const recs = await loadDataset({ format: 'preference', source: src('preference-bad.jsonl') }).toArray();
    expect(recs.map((r) => r.audio)).toEqual([undefined, ['../../etc/passwd']]);
  });

  it('throws at the first bad record with stopOnError', async () => {
    const ds = loadDataset({ format: 'preference', source: src('preference-bad.jsonl'), stopOnError: true });
    await expect(ds.toArray()).rejects.toThrow(DatasetError);
    expect(ds.summary).toMatchObject({ read: 2, kept: 1, skipped: 1 });
    expect(ds.summary.errors[0]).toMatchObject({ file: 'preference-bad.jsonl', line: 2, field: 'record', reason: 'syntax' });
  });

  it('replaces a prompt whose format differs from chosen by the shared prefix, with a warning', async () => {
    const line = JSON.stringify({ prompt: 'ignored', chosen: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], rejected: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'b' }] });
    const ds = loadDataset({ format: 'preference', source: memorySource(`${line}\n${line}\n`, 'mix.jsonl') });
    const recs = await ds.toArray();
    expect(recs[0]).toMatchObject({ implicitPrompt: true, prompt: [{ role: 'user', content: 'q' }] });
    expect(ds.summary.warnings).toMatchObject([{ key: 'prompt-format', count: 2, message: expect.stringContaining('mix.jsonl:1: prompt: a standard prompt with conversational') }]);
  });
});

describe('seed 003 ASR preference records', () => {
  it('reads JSONL with audio.path, filters by duration, confines and checks paths', async () => {
    const ds = loadDataset({ format: 'asr-preference', source: src('asr-preference.jsonl'), tree: root(), minDuration: 0.5, maxDuration: 30 });
    const recs = await ds.toArray();
    expect(recs).toEqual([
      { kind: 'asr-preference', audio: 'media/a.flac', duration: 1.5, chosen: 'high quality transcription', rejected: 'hi quality transcript', language: 'English', src: { file: 'asr-preference.jsonl', line: 1 } },
      { kind: 'asr-preference', audio: 'media/b.flac', duration: 2, chosen: 'last good one', rejected: 'last god one', language: 'English', src: { file: 'asr-preference.jsonl', line: 9 } },
    ]);
    expect(errorLines(ds.summary)).toEqual([
      'asr-preference.jsonl:4: audio.path: file "media/missing.flac" not found in ' + fixture(),
      'asr-preference.jsonl:5: audio.path: path "../../etc/passwd" escapes the dataset root',
      'asr-preference.jsonl:6: duration: expected a number of seconds >= 0, got string',
      'asr-preference.jsonl:7: audio.path: missing',
      'asr-preference.jsonl:8: chosen: empty',
    ]);
    expect(ds.summary).toMatchObject({ read: 9, kept: 2, skipped: 7, filteredBy: { duration: 2 }, skippedByReason: { filtered: 2, 'missing-file': 1, path: 1, field: 3 } });
  });

  it('reads the JSON-array form, with the line where each element starts', async () => {
    const ds = loadDataset({ format: 'asr-preference', source: src('asr-preference.json'), tree: root() });
    const recs = await ds.toArray();
    expect(recs.map((r) => [r.src.line, r.chosen])).toEqual([[2, 'first {bracket] "quoted" text'], [3, 'second'], [6, 'third']]);
    expect(errorLines(ds.summary)).toEqual([expect.stringMatching(/^asr-preference\.json:5: record: invalid JSON: /)]);
  });
});

describe('encodings and line endings', () => {
  it('reports a non-UTF-8 line by number and keeps the others', async () => {
    const ds = loadDataset({ format: 'preference', source: src('latin1.jsonl') });
    expect((await ds.toArray()).map((r) => r.prompt)).toEqual(['café', 'tea']);
    expect(errorLines(ds.summary)).toEqual(['latin1.jsonl:2: record: invalid UTF-8 at byte 16 of the line (0xe9); the file must be UTF-8 encoded']);
    expect(ds.summary.skippedByReason).toEqual({ encoding: 1 });
  });

  it('reads CRLF files with a last line lacking a newline', async () => {
    const recs = await loadDataset({ format: 'preference', source: src('crlf.jsonl') }).toArray();
    expect(recs.map((r) => [r.prompt, r.chosen, r.rejected])).toEqual([['a', ' b', ' c'], ['d', ' e', ' f'], ['g', ' h', ' i']]);
  });
});

describe('prompt-only and ADPO records', () => {
  it('reads standard and conversational prompts; rejects empty, wrong-typed and missing ones', async () => {
    const ds = loadDataset({ format: 'prompt', source: src('prompts.jsonl') });
    const recs = await ds.toArray();
    expect(recs.map((r) => r.format)).toEqual(['standard', 'conversational']);
    expect(recs[1].prompt).toEqual([{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'What is the capital of France?' }]);
    expect(errorLines(ds.summary)).toEqual([
      'prompts.jsonl:3: prompt: empty',
      'prompts.jsonl:4: prompt: expected a string or a list of messages, got object',
      'prompts.jsonl:5: prompt: missing',
    ]);
  });

  it('reads ADPO records with image paths checked against the root (field types before files)', async () => {
    const ds = loadDataset({ format: 'adpo', source: src('adpo.jsonl'), tree: root() });
    const recs = await ds.toArray();
    expect(recs[0]).toMatchObject({ response: 'This is a red apple.', chosenImages: ['media/red.png'], rejectedImages: ['media/green.png'] });
    expect(recs[1]).toMatchObject({ response: 'Text only.', chosenImages: [], rejectedImages: [] });
    expect(errorLines(ds.summary)).toEqual([
      'adpo.jsonl:3: response: empty',
      'adpo.jsonl:4: rejected_images[0]: expected a path string or {"path": ...}, got number',
    ]);
  });
});
