// Trainer parity on the tiny Llama (tests/golden/train/gen.py): for every TRL DPO loss type, ORPO,
// ADPO, SFT and full fine-tuning, the real `train()` path (tokenizer, collation, LoRA from a PEFT
// folder, reference pass, training graph) logs the first step's loss, metrics and grad_norm of an
// independent float64 PyTorch computation within 1e-4 relative.
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../../src/models/io/file-source-node';
import { parseTrainConfig } from '../../../src/train/config';
import { prepareExample } from '../../../src/train/data';
import { loadSetup } from '../../../src/train/setup';
import { MODEL_DIRS, compare, examplesOf, firstStep, golden } from './golden';

const g = golden.llama;
const report: string[] = [];

describe('trainer golden: tiny Llama', () => {
  it('tokenizes as the generator (TRL: BOS + prompt, completion + EOS)', async () => {
    const s = await loadSetup(folderSource(MODEL_DIRS.llama), { language: 'en', task: 'transcribe', max_length: 1024 });
    const c = parseTrainConfig({ model_name_or_path: 'm', dataset_name: 'd', output_dir: 'o' });
    examplesOf(g.examples).forEach((ex, i) => {
      const p = prepareExample(ex, i, s, c, 'pairs');
      expect(p.rows.map((r) => [r.prompt, r.completion])).toEqual([g.tokens[i].chosen, g.tokens[i].rejected]);
    });
    examplesOf(g.adpo_examples).forEach((ex, i) => {
      const p = prepareExample(ex, i, s, c, 'contexts');
      expect(p.rows.map((r) => [r.prompt, r.completion])).toEqual([g.adpo_tokens[i].chosen, g.adpo_tokens[i].rejected]);
    });
  });

  for (const c of g.cases) {
    it(`${c.name}: loss, metrics and grad_norm of the first step`, async () => {
      const got = await firstStep('llama', c);
      // Full fine-tuning starts at the reference: rewards tie at 0 and accuracies hinge on f32 noise.
      const worst = compare(c.name, got, c, c.full && c.trainer === 'dpo' ? ['rewards/accuracies'] : []);
      report.push(`${c.name}: worst rel err ${worst.toExponential(2)}`);
    });
  }

  it('reports', () => { console.log(report.join('\n')); });
});
