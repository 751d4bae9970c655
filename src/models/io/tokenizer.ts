// Text tokenizer from an HF folder's tokenizer.json, through @huggingface/tokenizers, with the
// special token ids (bos/eos/pad) resolved from tokenizer_config.json, special_tokens_map.json,
// config.json and generation_config.json.
import { Tokenizer } from '@huggingface/tokenizers';

/** The JSON files that may define special tokens (any may be absent). */
export interface TokenizerFiles {
  tokenizerJson: unknown;
  tokenizerConfig?: unknown;
  specialTokensMap?: unknown;
  config?: unknown;
  generationConfig?: unknown;
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : {});

/** A special token entry: a string or an AddedToken object `{content: ...}`. */
function tokenString(x: unknown): string | null {
  if (typeof x === 'string') return x;
  const c = obj(x).content;
  return typeof c === 'string' ? c : null;
}

/** config.json / generation_config.json ids: an int, a list of ints, or null. */
function idList(x: unknown): number[] {
  if (typeof x === 'number' && Number.isInteger(x)) return [x];
  if (Array.isArray(x)) return x.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return [];
}

/** Special token keys of transformers' `special_tokens_map` (what chat templates see as variables). */
const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/** The special token strings a folder defines (tokenizer_config.json first, then special_tokens_map.json); unset ones are left out. */
export function specialTokenStrings(tokenizerConfig: unknown, specialTokensMap?: unknown): Record<string, string> {
  const tc = obj(tokenizerConfig);
  const stm = obj(specialTokensMap);
  const out: Record<string, string> = {};
  for (const k of SPECIAL_TOKEN_KEYS) {
    const s = tokenString(tc[k]) ?? tokenString(stm[k]);
    if (s !== null) out[k] = s;
  }
  return out;
}

/** Encode/decode text and know the special ids. Encoding never adds special tokens unless asked. */
export class TextTokenizer {
  /** Beginning-of-sequence id, or null when the model has none (Qwen2). */
  readonly bosId: number | null;
  /** The tokenizer's end-of-sequence id (what training appends), or null. */
  readonly eosId: number | null;
  /** Every id that ends generation: generation_config's and config's eos ids, plus `eosId`. */
  readonly stopIds: number[];
  /** Padding id, or null when none is defined (trainers then usually pad with `eosId`). */
  readonly padId: number | null;

  private constructor(private readonly tok: Tokenizer, ids: { bos: number | null; eos: number | null; stop: number[]; pad: number | null }) {
    this.bosId = ids.bos;
    this.eosId = ids.eos;
    this.stopIds = ids.stop;
    this.padId = ids.pad;
  }

  /** Build from parsed JSON files; throws on a malformed tokenizer.json. */
  static fromJson(files: TokenizerFiles): TextTokenizer {
    const tj = obj(files.tokenizerJson);
    if (!('model' in tj)) throw new Error("tokenizer.json has no 'model' section");
    const tc = obj(files.tokenizerConfig);
    const stm = obj(files.specialTokensMap);
    const cfg = obj(files.config);
    const gen = obj(files.generationConfig);
    // NOTE: the library defaults clean_up_tokenization_spaces to true, which rewrites " ." to "."
    // on decode; recent HF tokenizer configs set it explicitly, and we default to false (raw text).
    const libConfig: Json = { clean_up_tokenization_spaces: false, ...tc };
    for (const k of ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const) {
      const s = tokenString(tc[k]) ?? tokenString(stm[k]);
      if (s !== null) libConfig[k] = s; else delete libConfig[k];
    }
    let tok: Tokenizer;
    try {
      tok = new Tokenizer(tj, libConfig);
    } catch (e) {
      throw new Error(`tokenizer.json: cannot build the tokenizer: ${(e as Error).message}`);
    }
    const idOf = (k: 'bos_token' | 'eos_token' | 'pad_token'): number | null => {
      const s = tokenString(tc[k]) ?? tokenString(stm[k]);
      if (s === null) return null;
      const id = tok.token_to_id(s);
      if (id === undefined) throw new Error(`tokenizer: ${k} '${s}' is not in the vocabulary`);
      return id;
    };
    const first = (...xs: unknown[]): number | null => {
      for (const x of xs) { const l = idList(x); if (l.length) return l[0]; }
      return null;
    };
    const bos = idOf('bos_token') ?? first(gen.bos_token_id, cfg.bos_token_id);
    const eos = idOf('eos_token') ?? first(cfg.eos_token_id, gen.eos_token_id);
    const pad = idOf('pad_token') ?? first(gen.pad_token_id, cfg.pad_token_id);
    const stop = [...new Set([...idList(gen.eos_token_id), ...idList(cfg.eos_token_id), ...(eos === null ? [] : [eos])])];
    return new TextTokenizer(tok, { bos, eos, stop, pad });
  }

  /** Token ids of `text`; special tokens (BOS templates) only when `addSpecialTokens`. */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
  }

  /** Text of `ids`; special tokens are dropped when `skipSpecialTokens`. */
  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  /** Token strings of `text` (no special tokens). */
  tokenize(text: string): string[] {
    return this.tok.tokenize(text, { add_special_tokens: false });
  }

  /** Id of a token string, or undefined. */
  tokenToId(token: string): number | undefined { return this.tok.token_to_id(token); }

  /** Token string of an id, or undefined. */
  idToToken(id: number): string | undefined { return this.tok.id_to_token(id); }

  /** Number of ids the tokenizer can produce (vocabulary plus added tokens). */
  get vocabSize(): number {
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) if (id > max) max = id;
    return max + 1;
  }
}
