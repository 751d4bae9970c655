// A run's model side: the loaded HF folder, its weights and tokenizer, Whisper's prompt and feature
// settings, the linear layers LoRA can target, and what is trained (LoRA A/B or every weight).
import { Graph } from '../engine';
import { whisperFeatureConfigFromHf, type WhisperFeatureConfig } from '../data/audio/feature-config';
import { type FileSource, folderTokenizer, readWeights, weightInputs, type TextTokenizer as HfTokenizer } from '../models/io';
import {
  type LinearInfo, LoraAdapter, PEFT_DEFAULT_TARGETS, ALL_LINEAR, loadPeftAdapter, loraConfig, peftTaskType, traceLinears,
} from '../models/lora';
import { type LoadedModel, loadModel } from '../models/registry';
import { type BuildContext, type WeightSpec } from '../models/types';
import { type WhisperConfig, WHISPER_OUTPUT_MODULE, parseWhisperGenerationConfig, whisperLinears, whisperPromptIds } from '../models/whisper';
import { type TrainConfig } from './config';
import { type PolicyModel } from './policy';
import { type TextTokenizer, type WhisperPrompt } from './tokenize';

/** Whisper-only settings of a run. */
export interface WhisperSetup {
  config: WhisperConfig;
  prompt: WhisperPrompt;
  features: WhisperFeatureConfig;
}

/** A loaded model with everything the trainer derives from it. */
export interface ModelSetup {
  loaded: LoadedModel;
  model: PolicyModel;
  specs: WeightSpec[];
  /** Base weights as float32, by HF name. */
  weights: Map<string, Float32Array>;
  tokenizer: TextTokenizer;
  /** The tokenizer's pad id (EOS when none), for padded input positions. */
  padId: number;
  linears: LinearInfo[];
  /** The output head LoRA's `all-linear` leaves out. */
  outputModule: string;
  whisper: WhisperSetup | null;
  /** Most tokens a row (prompt + completion) may hold: max_length, within Whisper's decoder positions + 1. */
  maxTokens: number;
}

/** Load the model folder and derive tokenizer, prompt and feature settings. */
export async function loadSetup(source: FileSource, c: Pick<TrainConfig, 'language' | 'task' | 'max_length'>): Promise<ModelSetup> {
  const loaded = await loadModel(source);
  const { def, config, specs } = loaded;
  const weights = await readWeights(loaded.weights, specs);
  const hf: HfTokenizer = folderTokenizer(loaded.folder);
  const eos = hf.eosId;
  if (eos === null) throw new Error(`${source.label}: the tokenizer has no EOS token, which completions need`);
  const tokenizer: TextTokenizer = { encode: (s) => hf.encode(s), eosTokenId: eos, bosTokenId: hf.bosId };
  const outputModule = def.outputModule ?? (def.kind === 'seq2seq' ? WHISPER_OUTPUT_MODULE : 'lm_head');
  let whisper: WhisperSetup | null = null;
  let linears: LinearInfo[];
  let maxTokens = c.max_length;
  if (def.kind === 'seq2seq') {
    const wc = config as WhisperConfig;
    const gen = loaded.folder.generationConfig;
    if (!gen) throw new Error(`${source.label}: a Whisper folder needs generation_config.json (decoder prompt ids)`);
    const parsed = parseWhisperGenerationConfig(gen);
    const prefixIds = whisperPromptIds(parsed, { language: c.language, task: c.task });
    const features = whisperFeatureConfigFromHf(loaded.folder.preprocessorConfig ?? {});
    if (features.featureSize !== wc.numMelBins) throw new Error(`preprocessor_config.json: feature_size ${features.featureSize} but config.json has num_mel_bins ${wc.numMelBins}`);
    if (Math.ceil(features.nbMaxFrames / 2) > wc.maxSourcePositions) {
      throw new Error(`preprocessor_config.json: ${features.nbMaxFrames} frames exceed the encoder's ${wc.maxSourcePositions} positions`);
    }
    whisper = { config: wc, prompt: { prefixIds, startOfPrevId: parsed.prevSotTokenId, eotId: eos }, features };
    linears = whisperLinears(wc);
    maxTokens = Math.min(maxTokens, wc.maxTargetPositions + 1); // the last token is only predicted
  } else {
    linears = traceLinears((linearHook) => {
      const g = new Graph('trace');
      const ctx: BuildContext = { graph: g, weight: weightInputs(g, specs), linearHook };
      def.forward(ctx, config, { inputIds: g.input('ids', 'int32', [1, 1]) });
    });
  }
  return {
    loaded, model: { def, config }, specs, weights, tokenizer, padId: hf.padId ?? eos, linears, outputModule, whisper, maxTokens,
  };
}

/** A fresh adapter from the config's lora_* settings (PEFT's defaults for the targets), or the given one. */
export async function adapterFor(s: ModelSetup, c: TrainConfig, adapter?: FileSource): Promise<LoraAdapter> {
  if (adapter) return loadPeftAdapter(adapter, { linears: s.linears, outputModule: s.outputModule });
  const t = c.lora_target_modules;
  const defaults = PEFT_DEFAULT_TARGETS[s.model.def.modelType];
  const targetModules = !t ? [...defaults] : t.length === 1 && t[0].toLowerCase() === ALL_LINEAR ? ALL_LINEAR : t;
  const cfg = loraConfig({
    r: c.lora_r, loraAlpha: c.lora_alpha, loraDropout: c.lora_dropout, targetModules, useRslora: c.use_rslora,
    taskType: peftTaskType(s.model.def.kind), baseModelNameOrPath: c.model_name_or_path,
  });
  return LoraAdapter.create(cfg, s.linears, { seed: c.seed, outputModule: s.outputModule });
}

/**
 * Weights full fine-tuning leaves frozen: Whisper's conv stem (the engine has no Conv gradient)
 * and its sinusoidal encoder positions (HF freezes those too).
 */
export function frozenInFullFinetune(name: string): boolean {
  return /^model\.encoder\.(conv[12]\.|embed_positions\.)/.test(name);
}

/** HF's `get_decay_parameter_names`: no weight decay on biases and norm weights. */
export function noWeightDecay(name: string): boolean {
  return /bias|layernorm|rmsnorm|(?:^|\.)norm(?:$|\.)|_norm(?:$|\.)/i.test(name);
}
