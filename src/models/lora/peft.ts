// PEFT adapter folders: adapter_config.json + adapter_model.safetensors, as PEFT's save_pretrained
// writes them and PeftModel.from_pretrained reads them.
import { type FileSource, MissingFileError, WeightStore, readJson, writeSafetensors } from '../io';
import { fromAdapterConfigJson, matchesTarget, moduleHyper, toAdapterConfigJson } from './config';
import { type LinearInfo, type LoraModule, type LoraPair, LoraAdapter, peftKey } from './lora';

/** File names inside a PEFT adapter folder. */
export const ADAPTER_CONFIG = 'adapter_config.json';
/** The adapter weights file. */
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** The files of a PEFT adapter folder for `adapter` (write them with `writeFolder` or offer them for download). */
export function adapterFiles(adapter: LoraAdapter): Record<string, Uint8Array | string> {
  const tensors = Object.fromEntries(adapter.tensors().map((t) => [t.key, { shape: t.shape, data: t.data }]));
  return {
    [ADAPTER_CONFIG]: `${JSON.stringify(toAdapterConfigJson(adapter.config, adapter.targetNames), null, 2)}\n`,
    [ADAPTER_WEIGHTS]: writeSafetensors(tensors, { format: 'pt' }),
  };
}

// PEFT keys: `base_model.model.<module>.lora_A.weight`; `.default` appears in in-memory state dicts.
const KEY = /^base_model\.model\.(.+)\.lora_([AB])(?:\.default)?\.weight$/;

function explainKey(key: string): string {
  if (/\.lora_embedding_[AB]/.test(key)) return 'LoRA on embedding layers is not supported';
  if (/\.lora_magnitude_vector/.test(key)) return 'DoRA adapters are not supported';
  if (/\.lora_[AB]\./.test(key) && key.endsWith('.bias')) return 'LoRA biases (lora_bias) are not supported';
  if (!key.startsWith('base_model.model.')) return "PEFT keys start with 'base_model.model.'";
  return 'not a LoRA A/B weight (expected base_model.model.<module>.lora_A.weight or .lora_B.weight)';
}

/** Options for loading an adapter. */
export interface LoadAdapterOptions {
  /**
   * The base model's linear layers (`traceLinears`): every key must name one with matching
   * shapes, and every layer the config targets must have weights. Omitted: only the file is checked.
   */
  linears?: readonly LinearInfo[];
  /** The output head `all-linear` excludes (see `CreateOptions.outputModule`). */
  outputModule?: string | null;
}

/**
 * Load a PEFT LoRA adapter folder to continue training or to evaluate. Keys are validated and
 * shapes checked against the config (and the base model when `linears` is given); errors name
 * the offending key.
 */
export async function loadPeftAdapter(src: FileSource, opts: LoadAdapterOptions = {}): Promise<LoraAdapter> {
  let raw: unknown;
  try {
    raw = await readJson(src, ADAPTER_CONFIG);
  } catch (e) {
    if (e instanceof MissingFileError) throw new MissingFileError(src.label, ADAPTER_CONFIG, 'not a PEFT adapter folder?');
    throw e;
  }
  const cfg = fromAdapterConfigJson(raw);
  if (!(await src.has(ADAPTER_WEIGHTS))) {
    const bin = await src.has('adapter_model.bin');
    throw new MissingFileError(src.label, ADAPTER_WEIGHTS, bin ? 'only adapter_model.bin (pickle) is present: convert it to safetensors' : '');
  }
  const store = await WeightStore.open(src, ADAPTER_WEIGHTS);
  const where = `${src.label}/${ADAPTER_WEIGHTS}`;
  const found = new Map<string, { A?: string; B?: string }>();
  for (const key of store.names()) {
    const m = KEY.exec(key);
    if (!m) throw new Error(`${where}: key '${key}': ${explainKey(key)}`);
    const [, module, which] = m as unknown as [string, string, 'A' | 'B'];
    const entry = found.get(module) ?? {};
    if (entry[which]) throw new Error(`${where}: key '${key}': module '${module}' has lora_${which} twice`);
    entry[which] = key;
    found.set(module, entry);
  }
  if (!found.size) throw new Error(`${where}: no LoRA weights in the file`);

  const linears = opts.linears ? new Map(opts.linears.map((l) => [l.name, l])) : null;
  const head = opts.outputModule !== undefined ? opts.outputModule
    : (opts.linears?.find((l) => l.name === 'lm_head' || l.name === 'proj_out')?.name ?? null);
  const modules: LoraModule[] = [];
  const weights = new Map<string, LoraPair>();
  for (const [name, keys] of found) {
    if (!keys.A || !keys.B) {
      const has = keys.A ?? keys.B!;
      throw new Error(`${where}: key '${has}' has no partner '${peftKey(name, keys.A ? 'B' : 'A')}'`);
    }
    if (!matchesTarget(cfg.targetModules, name, head)) {
      throw new Error(`${where}: key '${keys.A}': module '${name}' is not matched by target_modules in ${ADAPTER_CONFIG}`);
    }
    const a = store.info(keys.A)!;
    const b = store.info(keys.B)!;
    if (a.shape.length !== 2) throw new Error(`${where}: key '${keys.A}' has shape [${a.shape.join(', ')}], expected [r, in_features]`);
    if (b.shape.length !== 2) throw new Error(`${where}: key '${keys.B}' has shape [${b.shape.join(', ')}], expected [out_features, r]`);
    const [r, inF] = a.shape;
    const [outF, rB] = b.shape;
    if (rB !== r) throw new Error(`${where}: key '${keys.B}' has rank ${rB} but '${keys.A}' has rank ${r}`);
    const hyper = moduleHyper(cfg, name);
    if (r !== hyper.r) throw new Error(`${where}: key '${keys.A}' has rank ${r} but ${ADAPTER_CONFIG} gives r = ${hyper.r} for '${name}'`);
    if (linears) {
      const l = linears.get(name);
      if (!l) throw new Error(`${where}: key '${keys.A}': '${name}' is not a linear layer of the base model`);
      if (l.inFeatures !== inF) throw new Error(`${where}: key '${keys.A}' has shape [${r}, ${inF}] but the base model's '${name}' takes ${l.inFeatures} inputs`);
      if (l.outFeatures !== outF) throw new Error(`${where}: key '${keys.B}' has shape [${outF}, ${r}] but the base model's '${name}' has ${l.outFeatures} outputs`);
    }
    modules.push({ name, inFeatures: inF, outFeatures: outF, ...hyper });
    weights.set(name, { A: await store.readFloat32(keys.A), B: await store.readFloat32(keys.B) });
  }
  if (opts.linears) {
    for (const l of opts.linears) {
      if (matchesTarget(cfg.targetModules, l.name, head) && !found.has(l.name)) {
        throw new Error(`${where}: lacks '${peftKey(l.name, 'A')}' ('${l.name}' matches target_modules in ${ADAPTER_CONFIG})`);
      }
    }
    const order = new Map(opts.linears.map((l, i) => [l.name, i]));
    modules.sort((p, q) => order.get(p.name)! - order.get(q.name)!);
  }
  return new LoraAdapter(cfg, modules, weights);
}

