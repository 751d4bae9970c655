import { describe, expect, it } from 'vitest';
import { countingSource } from '../io/byte-source';
import { nodeFileSource } from '../io/fs-node';
import { loadDataset } from './load';
import { compileTemplate, templateColumns, TemplateError } from './templated';
import { fixture } from './test-fixtures-node';
import { formatRecordError } from './types';

describe('compileTemplate', () => {
  it('splits text and {column} placeholders, with {{ }} as literal braces', () => {
    expect(compileTemplate('Say {text} in {lang}. {{not}} a }} brace')).toEqual([
      { text: 'Say ' }, { column: 'text' }, { text: ' in ' }, { column: 'lang' }, { text: '. {not} a } brace' },
    ]);
    expect(templateColumns(compileTemplate('{a}{b}{a}'))).toEqual(['a', 'b']);
  });

  it('rejects malformed braces with the column', () => {
    expect(() => compileTemplate('a {open')).toThrow(new TemplateError("'{' is never closed (write '{{' for a literal brace)", 3));
    expect(() => compileTemplate('a } b')).toThrow(/column 3: single '}'/);
    expect(() => compileTemplate('x {}')).toThrow(/empty placeholder/);
    expect(() => compileTemplate('{a.b} {c!r} {d:>3}')).toThrow(/unsupported placeholder \{a\.b\}/);
  });
});

describe('templated sources (seed 004)', () => {
  const parent = () => countingSource(nodeFileSource(fixture('parent-rows.jsonl'), 'parent-rows.jsonl'));

  it('fills each parent row, takes the first N rows, filters long prompts, names unknown columns', async () => {
    const { source } = parent();
    const ds = loadDataset({ format: 'templated', source, template: { template: 'Paraphrase: {text}', take: 5, filterLength: true, maxNewTokens: 10 } });
    const recs = await ds.toArray();
    expect(recs.map((r) => r.prompt)).toEqual(['Paraphrase: Short one.']);
    expect(ds.summary.errors.map(formatRecordError)).toEqual([
      "parent-rows.jsonl:4: {text}: column 'text' is not in the parent row (its columns: txt, lang)",
      "parent-rows.jsonl:5: {text}: column 'text' holds null; only text, numbers and booleans can fill a placeholder",
    ]);
    // rows 1 and 3 are over 0.9 * 10 words; row 6 is past `take`
    expect(ds.summary).toMatchObject({ read: 5, kept: 1, filteredBy: { length: 2 } });
  });

  it('builds conversational prompts and measures length with the given tokenizer', async () => {
    const { source } = parent();
    const ds = loadDataset({
      format: 'templated', source,
      template: { template: [{ role: 'system', content: 'Rewrite in {lang}.' }, { role: 'user', content: '{text}' }], take: 3, filterLength: true, maxNewTokens: 40, countTokens: (s) => s.length },
    });
    const recs = await ds.toArray();
    // characters (system + newline + user): row 1 = 55 and row 3 = 78 exceed 0.9 * 40 = 36; row 2 = 25 fits
    expect(recs.map((r) => r.prompt)).toEqual([
      [{ role: 'system', content: 'Rewrite in en.' }, { role: 'user', content: 'Short one.' }],
    ]);
    expect(ds.summary.filteredBy).toEqual({ length: 2 });
  });

  it('needs max_new_tokens for filter_length', async () => {
    const { source } = parent();
    await expect(loadDataset({ format: 'templated', source, template: { template: '{text}', filterLength: true } }).toArray()).rejects.toThrow(/filter_length needs max_new_tokens/);
  });
});
