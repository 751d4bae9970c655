// An HF model folder (as `save_pretrained` writes it, or a Hub repo): config, weights,
// tokenizer and processor files. Weights stay on disk until a tensor is read.
import { ChatTemplate, pickChatTemplate } from './chat-template';
import { type FileSource, MissingFileError, readJson, readText } from './file-source';
import { WeightStore } from './safetensors';
import { TextTokenizer, specialTokenStrings } from './tokenizer';

/** The parsed files of an HF model folder; optional files are null when absent. */
export interface HfFolder {
  source: FileSource;
  /** config.json. */
  config: Record<string, unknown>;
  /** config.json `model_type` (not checked against the registry here). */
  modelType: string;
  /** model.safetensors, or the shards of model.safetensors.index.json; null when not asked for. */
  weights: WeightStore | null;
  tokenizerJson: unknown | null;
  tokenizerConfig: unknown | null;
  specialTokensMap: unknown | null;
  generationConfig: unknown | null;
  preprocessorConfig: unknown | null;
  /** chat_template.jinja's text (it wins over tokenizer_config.json's `chat_template`). */
  chatTemplateJinja: string | null;
}

/** Options for `loadHfFolder`. */
export interface LoadOptions {
  /** Open the weights (default true); false reads only the JSON files. */
  weights?: boolean;
}

/** Which weights file(s) the folder holds: the sharded index first, then a single file. */
export async function findWeights(src: FileSource): Promise<string> {
  if (await src.has('model.safetensors.index.json')) return 'model.safetensors.index.json';
  if (await src.has('model.safetensors')) return 'model.safetensors';
  const torchOnly = (await src.has('pytorch_model.bin')) || (await src.has('pytorch_model.bin.index.json'));
  throw new MissingFileError(src.label, 'model.safetensors',
    torchOnly ? 'only pytorch_model.bin is present: convert it to safetensors first' : 'nor model.safetensors.index.json');
}

const optionalJson = async (src: FileSource, path: string): Promise<unknown | null> =>
  (await src.has(path)) ? readJson(src, path) : null;

/** Load config.json, the weights' headers and every tokenizer/processor JSON present. */
export async function loadHfFolder(src: FileSource, opts: LoadOptions = {}): Promise<HfFolder> {
  let config: unknown;
  try {
    config = await readJson(src, 'config.json');
  } catch (e) {
    if (e instanceof MissingFileError) throw new MissingFileError(src.label, 'config.json', 'not an HF model folder?');
    throw e;
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${src.label}/config.json: not a JSON object`);
  const modelType = (config as Record<string, unknown>).model_type;
  if (typeof modelType !== 'string') throw new Error(`${src.label}/config.json: no 'model_type' string`);
  const weights = opts.weights === false ? null : await WeightStore.open(src, await findWeights(src));
  return {
    source: src,
    config: config as Record<string, unknown>,
    modelType,
    weights,
    tokenizerJson: await optionalJson(src, 'tokenizer.json'),
    tokenizerConfig: await optionalJson(src, 'tokenizer_config.json'),
    specialTokensMap: await optionalJson(src, 'special_tokens_map.json'),
    generationConfig: await optionalJson(src, 'generation_config.json'),
    preprocessorConfig: await optionalJson(src, 'preprocessor_config.json'),
    chatTemplateJinja: (await src.has('chat_template.jinja')) ? await readText(src, 'chat_template.jinja') : null,
  };
}

/** The folder's tokenizer (tokenizer.json plus the configs that name special tokens). */
export function folderTokenizer(f: HfFolder): TextTokenizer {
  if (f.tokenizerJson === null) throw new MissingFileError(f.source.label, 'tokenizer.json', 'a slow-tokenizer-only folder is not supported');
  return TextTokenizer.fromJson({
    tokenizerJson: f.tokenizerJson,
    tokenizerConfig: f.tokenizerConfig,
    specialTokensMap: f.specialTokensMap,
    config: f.config,
    generationConfig: f.generationConfig,
  });
}

/** The folder's chat template with its special token strings (`name` picks one of several), or null when it has none. */
export function folderChatTemplate(f: Pick<HfFolder, 'tokenizerConfig' | 'specialTokensMap' | 'chatTemplateJinja'>, name?: string): ChatTemplate | null {
  const source = pickChatTemplate({ tokenizerConfig: f.tokenizerConfig, chatTemplateJinja: f.chatTemplateJinja }, name);
  return source === null ? null : new ChatTemplate(source, specialTokenStrings(f.tokenizerConfig, f.specialTokensMap));
}
