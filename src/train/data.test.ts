import { describe, expect, it } from 'vitest';
import { type Message, type PreferenceRecord } from '../data';
import { loadDatasetFromPath } from '../data/formats/load-node';
import { fixture } from '../data/formats/test-fixtures-node';
import { testOrt } from '../engine/testing/ort';
import { ChatTemplate } from '../models/io/chat-template';
import { memorySource } from '../models/io/file-source';
import { TINY_CONFIGS, tinyLlamaFolder } from '../models/llama/tiny';
import { toExample } from '../../workers/http-io';
import { parseTrainConfig } from './config';
import { dataPlan, epochAfter, epochOrder, microBatchIndices, needsMedia, prepareExample, resolveDim, sequentialBatches } from './data';
import { type LogEntry, memorySink } from './io';
import { loadSetup } from './setup';
import { applyChatTemplate, tokenizeChatForCausalLm } from './tokenize';
import { train } from './trainer';

const base = { model_name_or_path: 'm', dataset_name: 'd', output_dir: 'o' };

describe('data plan (HF accounting)', () => {
  it('counts batches, optimizer steps and fractional epochs as HF Trainer does', () => {
    const c = parseTrainConfig({ ...base, per_device_train_batch_size: 2, gradient_accumulation_steps: 2, num_train_epochs: 2 });
    const p = dataPlan(c, 9); // 5 batches (last of 1), 2 optimizer steps per epoch, remainder batch unused
    expect(p).toMatchObject({ batchesPerEpoch: 5, stepsPerEpoch: 2, totalSteps: 4 });
    expect([1, 2, 3, 4].map((s) => epochAfter(p, s))).toEqual([0.4, 0.8, 1.4, 1.8]);
    expect(dataPlan({ ...c, max_steps: 7 }, 9).totalSteps).toBe(7);
    expect(() => dataPlan({ ...c, gradient_accumulation_steps: 8 }, 9)).toThrow(/exceeds the 5 batch/);
  });

  it('walks each epoch through its own seeded permutation, micro-batch by micro-batch', () => {
    const c = parseTrainConfig({ ...base, per_device_train_batch_size: 2, gradient_accumulation_steps: 1, num_train_epochs: 2 });
    const p = dataPlan(c, 5); // 3 batches per epoch: 2, 2, 1
    const epoch0 = [0, 1, 2].flatMap((s) => microBatchIndices(p, 7, s, 0).indices);
    const epoch1 = [3, 4, 5].flatMap((s) => microBatchIndices(p, 7, s, 0).indices);
    expect([...epoch0].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(epoch0).toEqual(epochOrder(7, 0, 5));
    expect(epoch1).toEqual(epochOrder(7, 1, 5));
    expect(epoch1).not.toEqual(epoch0); // a fresh order per epoch
    expect(microBatchIndices(p, 7, 2, 0).indices).toHaveLength(1); // the smaller last batch
    expect(microBatchIndices(p, 8, 0, 0).indices).not.toEqual(microBatchIndices(p, 7, 0, 0).indices);
  });

  it('splits sequential passes and resolves symbolic dims', () => {
    expect(sequentialBatches(5, 2)).toEqual([[0, 1], [2, 3], [4]]);
    const env = { batch: 3, rows: 6 };
    expect(resolveDim(4, env)).toBe(4);
    expect(resolveDim('rows', env)).toBe(6);
    expect(resolveDim('batch+batch', env)).toBe(6);
    expect(resolveDim('(rows)/(2)', env)).toBe(3);
    expect(resolveDim('2*batch-1', env)).toBe(5);
    expect(() => resolveDim('frames', env)).toThrow(/unknown dim symbol/);
  });
});

// The tiny Llama's own ChatML template, from its tokenizer_config.json.
const tinyFiles = () => tinyLlamaFolder(TINY_CONFIGS.llama, 7);
const chatMl = () => new ChatTemplate((JSON.parse(tinyFiles()['tokenizer_config.json'] as string) as { chat_template: string }).chat_template);
const m = (role: string, content: string): Message => ({ role, content });
const goodRecords = async () => (await loadDatasetFromPath(fixture('preference-good.jsonl'), { format: 'preference' })).toArray() as Promise<PreferenceRecord[]>;
const conv = (r: PreferenceRecord) => {
  if (r.format !== 'conversational') throw new Error(`${r.id} is not conversational`);
  return r;
};

describe('conversational examples through the chat template (TRL maybe_apply_chat_template)', () => {
  const askSky = '<|im_start|>user\nWhat color is the sky?<|im_end|>\n<|im_start|>assistant\n';

  it('explicit and implicit prompts: the prompt with the generation prompt, each completion the rest of prompt + completion', async () => {
    const recs = await goodRecords();
    const want = { prompt: askSky, chosen: 'It is blue.<|im_end|>\n', rejected: 'It is green.<|im_end|>\n' };
    expect(applyChatTemplate(chatMl(), conv(recs.find((r) => r.id === 'conv-explicit')!))).toEqual(want);
    // The implicit record's prompt is the shared first message (src/data's extract_prompt).
    expect(applyChatTemplate(chatMl(), conv(recs.find((r) => r.id === 'conv-implicit')!))).toEqual(want);
  });

  it('multi-turn: the shared turns are the prompt; a prompt ending with the assistant is continued, not closed', () => {
    const sys = m('system', 'Be brief.');
    const turns = [sys, m('user', 'Hi'), m('assistant', 'Hello.'), m('user', 'Sky?')];
    expect(applyChatTemplate(chatMl(), { prompt: turns, chosen: [m('assistant', 'Blue.')], rejected: [m('assistant', 'Green.')] })).toEqual({
      prompt: '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nSky?<|im_end|>\n<|im_start|>assistant\n',
      chosen: 'Blue.<|im_end|>\n',
      rejected: 'Green.<|im_end|>\n',
    });
    // TRL: continue_final_message for the prompt, then the completions are cut from the full rendering.
    const t = applyChatTemplate(chatMl(), { prompt: [m('user', 'Q'), m('assistant', 'The answer is')], chosen: [m('assistant', ' four.')], rejected: [m('assistant', ' five.')] });
    expect(t).toEqual({
      prompt: '<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\nThe answer is',
      chosen: '<|im_end|>\n<|im_start|>assistant\n four.<|im_end|>\n',
      rejected: '<|im_end|>\n<|im_start|>assistant\n five.<|im_end|>\n',
    });
  });

  it('Llama 3 style: BOS comes from the template, completions end with <|eot_id|>', () => {
    const llama3 = new ChatTemplate("{{ bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m.role + '<|end_header_id|>\n\n' + m.content | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}", { bos_token: '<|begin_of_text|>' });
    expect(applyChatTemplate(llama3, { prompt: [m('user', 'Sky?')], chosen: [m('assistant', 'Blue. ')], rejected: [m('assistant', 'Green.')] })).toEqual({
      prompt: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nSky?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
      chosen: 'Blue.<|eot_id|>',
      rejected: 'Green.<|eot_id|>',
    });
  });

  it('an empty prompt renders chosen and rejected whole; a system-last prompt and a template that does not split are errors', () => {
    expect(applyChatTemplate(chatMl(), { prompt: [], chosen: [m('user', 'a')], rejected: [m('user', 'b')] })).toEqual({
      prompt: '', chosen: '<|im_start|>user\na<|im_end|>\n', rejected: '<|im_start|>user\nb<|im_end|>\n',
    });
    expect(() => applyChatTemplate(chatMl(), { prompt: [m('system', 's')], chosen: [m('assistant', 'a')], rejected: [m('assistant', 'b')] })).toThrow(/last message has role 'system'; it must be 'user' or 'assistant'/);
    const odd = new ChatTemplate("{% for x in messages %}{{ x.content }}{% endfor %}{% if add_generation_prompt %}>{% endif %}");
    expect(() => applyChatTemplate(odd, { prompt: [m('user', 'q')], chosen: [m('assistant', 'a')], rejected: [m('assistant', 'b')] })).toThrow(/rendering of prompt \+ chosen does not start with its rendering of the prompt alone/);
  });

  it('tokenizes the rendered texts as they are (no BOS added), EOS after each completion', () => {
    const enc = (s: string) => [...new TextEncoder().encode(s)];
    const tok = { encode: (s: string) => enc(s), eosTokenId: 0, bosTokenId: 1 };
    expect(tokenizeChatForCausalLm(tok, { prompt: 'P', chosen: 'ab', rejected: 'c' })).toEqual({ promptIds: enc('P'), chosenIds: [...enc('ab'), 0], rejectedIds: [...enc('c'), 0] });
    expect(tokenizeChatForCausalLm(tok, { prompt: '', chosen: 'ab', rejected: 'c' }).promptIds).toEqual([1]);
  });

  it('prepareExample on the tiny Llama: special tokens of the rendering become their ids; no template is an error naming the folder', async () => {
    const files = tinyFiles();
    const setup = await loadSetup(memorySource(files, 'tiny-lm'), { language: 'en', task: 'transcribe', max_length: 1024 });
    const c = parseTrainConfig(base);
    const bytes = (s: string) => [...new TextEncoder().encode(s)]; // the tiny tokenizer's ids are bytes below 256
    const [imStart, imEnd, eos] = [257, 258, 256];
    const ex = { id: 'c1', prompt: [m('user', 'Hi')], chosen: [m('assistant', 'Yo')], rejected: [m('assistant', 'No')] };
    const p = prepareExample(ex, 0, setup, c, 'pairs');
    const promptIds = [imStart, ...bytes('user\nHi'), imEnd, ...bytes('\n'), imStart, ...bytes('assistant\n')];
    expect(p.rows).toEqual([
      { prompt: promptIds, completion: [...bytes('Yo'), imEnd, ...bytes('\n'), eos] },
      { prompt: promptIds, completion: [...bytes('No'), imEnd, ...bytes('\n'), eos] },
    ]);
    // Standard text in the same run keeps its own path.
    expect(prepareExample({ prompt: 'Hi', chosen: ' yo', rejected: ' no' }, 1, setup, c, 'pairs').rows[0]).toEqual({ prompt: bytes('Hi'), completion: [...bytes(' yo'), eos] });
    expect(() => prepareExample({ ...ex, prompt: 'Hi' }, 2, setup, c, 'pairs')).toThrow('example c1: prompt, chosen and rejected must all be text or all be message lists');

    const tc = JSON.parse(files['tokenizer_config.json'] as string) as Record<string, unknown>;
    delete tc.chat_template;
    const bare = await loadSetup(memorySource({ ...files, 'tokenizer_config.json': JSON.stringify(tc) }, 'bare-lm'), { language: 'en', task: 'transcribe', max_length: 1024 });
    expect(() => prepareExample(ex, 0, bare, c, 'pairs')).toThrow('example c1: conversational examples need a chat template, and bare-lm has none (no chat_template in tokenizer_config.json and no chat_template.jinja)');
  });

  it('preference-good.jsonl (standard and conversational rows) trains for 2 steps on the tiny Llama; the record with audio and images is left out', async () => {
    const xs = (await goodRecords()).map(toExample);
    expect(xs.map(needsMedia)).toEqual([false, false, false, false, true]);
    const logs: LogEntry[] = [];
    const summary = await train(parseTrainConfig({
      ...base, use_peft: true, lora_r: 4, learning_rate: 1e-3, per_device_train_batch_size: 2, max_steps: 2, logging_steps: 1,
    }), {
      ort: testOrt(), backend: 'wasm', model: memorySource(tinyFiles(), 'tiny-lm'), examples: xs.filter((x) => !needsMedia(x)), output: memorySink(), onLog: (e) => logs.push(e),
    });
    expect(summary).toMatchObject({ globalStep: 2, stopped: false });
    const steps = logs.filter((e) => 'loss' in e);
    // Four examples at batch size 2: two batches per epoch, so the two steps end epoch 1 exactly.
    expect(steps.map((e) => [e.step, e.epoch])).toEqual([[1, 0.5], [2, 1]]);
    for (const e of steps) for (const k of ['loss', 'grad_norm', 'logps/chosen', 'logps/rejected']) expect(Number.isFinite(e[k]), k).toBe(true);
    expect(Math.abs(steps[0].loss - Math.LN2)).toBeLessThan(1e-5); // a fresh adapter starts at the reference
  });
});
