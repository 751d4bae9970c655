// The studio's data API against the real demo files (fetch served from public/demo) and the
// data fixtures, as the Data/Simulate/Review pages call it through the data worker.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatRecordError } from '../src/data';
import { type PickedFile, type ProjectInput, hashText, studioApi } from './studio-api';

const root = join(import.meta.dirname, '..');
const demoDir = join(root, 'public/demo');
const fixtures = join(root, 'tests/fixtures/data');
const BASE = 'http://studio.test/demo/';
const fetched: string[] = [];

beforeAll(() => {
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const path = decodeURIComponent(new URL(url).pathname.replace(/^\/demo\//, ''));
    try {
      return new Response(readFileSync(join(demoDir, path)));
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
});
afterAll(() => vi.unstubAllGlobals());

const demo: ProjectInput = { kind: 'demo', key: 'demo-test', baseUrl: BASE };
const sim = (seed: number) => ({
  seed,
  biasing: { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 },
  errors: { error_range: [0.15, 0.3], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 },
});

// Files as a folder pick gives them: relative paths under the picked folder's name.
function picked(dir: string, top: string): PickedFile[] {
  const out: PickedFile[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { visit(p); continue; }
      out.push({ path: `${top}/${relative(dir, p)}`, blob: new Blob([new Uint8Array(readFileSync(p))]) });
    }
  };
  visit(dir);
  return out;
}

function oneFile(name: string, body: string | Uint8Array): PickedFile {
  return { path: name, blob: new Blob([typeof body === 'string' ? body : new Uint8Array(body)]) };
}

describe('the demo project over HTTP', () => {
  it('reads the LibriSpeech tree and the seed-000 config through the data loaders', async () => {
    const r = await studioApi.openProject(demo);
    expect(r.loadError).toBeNull();
    expect(r.summary.format).toBe('openasr');
    expect(r.summary).toMatchObject({ read: 10, kept: 10, skipped: 0, errors: [] });
    expect(r.config?.biasing).toEqual({ bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 });
    expect(r.config?.simu_preference?.error_range).toEqual([0.15, 0.3]);
    expect(r.configWarnings).toEqual([]);
    expect(r.pairSource).toBe('simulated');
    expect(r.exportable).toBe(false);
    expect(r.columns).toEqual(expect.arrayContaining(['id', 'text', 'audio']));
    expect(r.rows[0].cells).toMatchObject({ id: '1272-128104-0000', text: 'THE CAPTAIN LOWERED THE LANTERN INTO THE HOLD' });
    expect(fetched).toContain(`${BASE}manifest.json`);
    expect(fetched.some((u) => u.endsWith('1272-128104.trans.txt'))).toBe(true);
  });

  it('simulates the same pairs for the same seed and other pairs for another', async () => {
    const a = await studioApi.pairs(demo, sim(7));
    const b = await studioApi.pairs(demo, sim(7));
    const c = await studioApi.pairs(demo, sim(8));
    expect(a.source).toBe('simulated');
    expect(a.pairs).toHaveLength(10);
    expect(a.pairs).toEqual(b.pairs);
    expect(c.pairs.map((p) => p.rejected)).not.toEqual(a.pairs.map((p) => p.rejected));
    for (const p of a.pairs) {
      expect(p.audio).toMatch(/^LibriSpeech\/test-clean\/\d+\/\d+\/[\d-]+\.flac$/);
      expect(p.key).toBe(`${p.id}#${hashText(`${p.prompt}\u0000${p.chosen}\u0000${p.rejected}`)}`);
    }
    expect(a.summary?.measured.wer).toBeGreaterThan(0);
    expect(a.pairs.some((p) => p.wer > 0)).toBe(true);
  });

  it('exports simulated pairs as TRL JSONL with audio paths', async () => {
    const blob = await studioApi.exportSimulated(demo, sim(7));
    const rows = (await blob.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const pairs = (await studioApi.pairs(demo, sim(7))).pairs;
    expect(rows).toHaveLength(10);
    rows.forEach((row, i) => expect(row).toMatchObject({ id: pairs[i].id, prompt: pairs[i].prompt, chosen: pairs[i].chosen, rejected: pairs[i].rejected, audio: pairs[i].audio }));
    await expect(studioApi.exportRecords(demo)).rejects.toThrow(/Simulate/);
  });

  it('decodes a demo clip to 16 kHz mono speech', async () => {
    const clip = await studioApi.audio(demo, 'LibriSpeech/test-clean/1272/128104/1272-128104-0000.flac');
    expect(clip.sampleRate).toBe(16000);
    expect(clip.duration).toBeGreaterThan(1.5);
    expect(clip.duration).toBeLessThan(5);
    const peak = clip.samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.2);
    await expect(studioApi.audio(demo, 'nope.flac')).rejects.toThrow(/not in the project/);
  });
});

describe('dropped files', () => {
  it('reports a bad JSONL file as file:line: field errors with skip counts', async () => {
    const r = await studioApi.openProject({ kind: 'files', key: 'bad', label: 'preference-bad.jsonl', files: [oneFile('preference-bad.jsonl', readFileSync(join(fixtures, 'preference-bad.jsonl')))] });
    expect(r.summary.format).toBe('preference');
    expect(r.summary).toMatchObject({ read: 9, kept: 1, skipped: 8, skippedByReason: { syntax: 1, field: 6, path: 1 } });
    const lines = r.summary.errors.map(formatRecordError);
    expect(lines[1]).toBe('preference-bad.jsonl:3: chosen: expected a string or a list of messages, got number');
    expect(lines[7]).toBe('preference-bad.jsonl:9: audio: path "../../etc/passwd" escapes the dataset root');
    expect(r.notes.join(' ')).toMatch(/not for existence/);
    expect(r.pairSource).toBe('dataset');
    expect(r.rows).toHaveLength(1);
  });

  it('exports a good preference file as TRL JSONL and offers its records as pairs', async () => {
    const text = readFileSync(join(fixtures, 'preference-good.jsonl'), 'utf8');
    const input: ProjectInput = { kind: 'files', key: 'good', label: 'preference-good.jsonl', files: [oneFile('preference-good.jsonl', text)] };
    const r = await studioApi.openProject(input);
    expect(r.exportable).toBe(true);
    expect(r.summary.skipped).toBe(0);
    const out = (await (await studioApi.exportRecords(input)).text()).trim().split('\n');
    expect(out).toHaveLength(r.summary.kept);
    const pairs = await studioApi.pairs(input, sim(0));
    expect(pairs.source).toBe('dataset');
    expect(pairs.pairs).toHaveLength(r.summary.kept);
    const first = JSON.parse(out[0]) as { chosen: unknown };
    expect(typeof first.chosen === 'string' ? first.chosen : JSON.stringify(first.chosen)).toContain(pairs.pairs[0].chosen.trim().split(' ')[0]);
  });

  it('reads a dropped LibriSpeech folder with its broken chapters', async () => {
    const r = await studioApi.openProject({ kind: 'files', key: 'libri-bad', label: 'librispeech-bad', files: picked(join(fixtures, 'librispeech-bad'), 'librispeech-bad') });
    expect(r.summary.format).toBe('openasr');
    expect(r.summary.skippedByReason['missing-file']).toBeGreaterThan(0);
    expect(r.summary.skippedByReason['orphan-audio']).toBeGreaterThan(0);
    expect(r.summary.errors.map(formatRecordError).join('\n')).toMatch(/^test-clean\/121\/121726\/121-121726\.trans\.txt:2: audio: /m);
    expect(r.pairSource).toBe('simulated');
  });

  it('picks up a dataset config dropped with the data and reports its problems', async () => {
    const files = [oneFile('dataset-config.json', readFileSync(join(fixtures, 'dataset-config-typos.json'))), oneFile('good.jsonl', readFileSync(join(fixtures, 'preference-good.jsonl')))];
    const r = await studioApi.openProject({ kind: 'files', key: 'cfg', label: 'two files', files });
    expect(r.configFile).toBe('dataset-config.json');
    expect(r.configWarnings.join('\n')).toMatch(/unknown key/);
    expect(r.sources).toEqual(['good.jsonl']);
  });

  it('says so when no dataset file is there', async () => {
    const r = await studioApi.openProject({ kind: 'files', key: 'none', label: 'notes.txt', files: [oneFile('notes.txt', 'hello')] });
    expect(r.loadError).toMatch(/No dataset found/);
    expect(r.summary.read).toBe(0);
  });
});
