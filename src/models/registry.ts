// The one wiring point between config.json `model_type` and model code (STYLE.md "Models").
import { type FileSource } from './io/file-source';
import { type HfFolder, loadHfFolder } from './io/hf-folder';
import { type WeightStore } from './io/safetensors';
import { llamaFamilyDef } from './llama';
import { type ModelDef, type ModelType, type WeightSpec } from './types';
import { whisperDef } from './whisper';

/** Every supported model, keyed by config.json `model_type`. */
export const registry: Record<ModelType, ModelDef> = {
  llama: llamaFamilyDef('llama'),
  qwen2: llamaFamilyDef('qwen2'),
  whisper: whisperDef,
};

/** True when `t` is a supported `model_type`. */
export function isModelType(t: unknown): t is ModelType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(registry, t);
}

/** The def for a parsed config.json; throws naming the model_type when unsupported. */
export function modelDefFor(config: unknown): ModelDef {
  const t = (config as { model_type?: unknown } | null)?.model_type;
  if (!isModelType(t)) {
    throw new Error(`config.json: model_type ${JSON.stringify(t)} is not supported (supported: ${Object.keys(registry).join(', ')})`);
  }
  return registry[t];
}

/** An HF folder resolved against the registry; weight data is still on disk. */
export interface LoadedModel {
  folder: HfFolder;
  def: ModelDef;
  /** `def.fromHfConfig(config.json)`: pass it only to this `def`. */
  config: unknown;
  /** Every weight the graph reads (checked present with the right shape in `weights`). */
  specs: WeightSpec[];
  weights: WeightStore;
}

/** Load a folder, pick its def, parse its config and check the checkpoint's names and shapes. */
export async function loadModel(src: FileSource): Promise<LoadedModel> {
  const folder = await loadHfFolder(src);
  const def = modelDefFor(folder.config);
  const config = def.fromHfConfig(folder.config);
  const specs = def.weightNames(config);
  const weights = folder.weights!;
  const problems: string[] = [];
  for (const s of specs) {
    const info = weights.info(s.name);
    if (!info) problems.push(`missing '${s.name}'`);
    else if (info.shape.length !== s.shape.length || info.shape.some((d, i) => d !== s.shape[i])) {
      problems.push(`'${s.name}' is [${info.shape.join(', ')}], config wants [${s.shape.join(', ')}]`);
    }
  }
  if (problems.length) {
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new Error(`${src.label}: checkpoint does not match config.json: ${problems.slice(0, 5).join('; ')}${more}`);
  }
  return { folder, def, config, specs, weights };
}
