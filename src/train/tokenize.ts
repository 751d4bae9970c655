// Tokenization as TRL does it for preference data: prompt and completions are tokenized
// separately without special tokens and EOS is appended to each completion. Conversational
// examples are first rendered to text by the model's chat template (TRL's
// maybe_apply_chat_template). For Whisper the decoder prompt is <|startoftranscript|> <|lang|>
// <|task|> <|notimestamps|>, optionally preceded by a previous-text (bias) prompt, and the
// completion is the transcript plus <|endoftext|>.
import { type ChatMessage, type RenderOptions } from '../models/io/chat-template';

/** What the trainers need of a tokenizer. */
export interface TextTokenizer {
  /** Token ids of `text` without special tokens. */
  encode(text: string): number[];
  eosTokenId: number;
  bosTokenId?: number | null;
}

/** One ADPO example tokenized: one response under two contexts. */
export interface TokenizedContexts {
  chosenPromptIds: number[];
  rejectedPromptIds: number[];
  responseIds: number[];
}

/** One tokenized example: a shared prompt and one or two completions. */
export interface TokenizedExample {
  promptIds: number[];
  chosenIds: number[];
  rejectedIds: number[];
}

/** Length limits, named as TRL's DPOConfig names them. */
export interface LengthLimits {
  maxPromptLength?: number | null;
  maxCompletionLength?: number | null;
  /** Limit on prompt + completion; the completion is cut from its end (TRL's keep_end for the prompt). */
  maxLength?: number | null;
}

/**
 * An LM prompt: BOS (when the tokenizer has one and the text does not already start with it, as
 * `tokenizer(prompt)` adds it) + the prompt's tokens. An empty prompt without BOS starts with EOS,
 * so that the first completion token is predicted from something.
 */
export function causalLmPromptIds(tok: TextTokenizer, prompt: string): number[] {
  const ids = prompt ? tok.encode(prompt) : [];
  const bos = tok.bosTokenId ?? null;
  if (bos !== null && ids[0] !== bos) return [bos, ...ids];
  return ids.length ? ids : [tok.eosTokenId];
}

/** Decoder-only LMs: prompt and completions tokenized apart, EOS appended to completions. */
export function tokenizeForCausalLm(tok: TextTokenizer, ex: { prompt: string; chosen: string; rejected: string }, limits: LengthLimits = {}): TokenizedExample {
  return truncate({
    promptIds: causalLmPromptIds(tok, ex.prompt),
    chosenIds: [...tok.encode(ex.chosen), tok.eosTokenId],
    rejectedIds: [...tok.encode(ex.rejected), tok.eosTokenId],
  }, limits);
}

/** What the chat path needs of a template: transformers-style rendering (a ChatTemplate). */
export interface ChatRenderer {
  render(messages: readonly ChatMessage[], opts?: RenderOptions): string;
}

/** A conversational preference example: message lists (the prompt may be empty). */
export interface ChatExample {
  prompt: readonly ChatMessage[];
  chosen: readonly ChatMessage[];
  rejected: readonly ChatMessage[];
}

/** A conversational example as text: the rendered prompt and what each completion adds to it. */
export interface ChatTexts {
  prompt: string;
  chosen: string;
  rejected: string;
}

/**
 * TRL's `apply_chat_template` for a preference example. The prompt is rendered with the generation
 * prompt when its last message is the user's (continuing the final message when it is the
 * assistant's; any other role is an error), and each completion is the rendering of prompt +
 * completion with the prompt's rendering cut from its front, which must be a prefix of it. An empty
 * prompt (no shared leading messages) renders chosen and rejected whole, as TRL's implicit-prompt case.
 */
export function applyChatTemplate(chat: ChatRenderer, ex: ChatExample): ChatTexts {
  const last = ex.prompt.at(-1);
  if (!last) return { prompt: '', chosen: chat.render(ex.chosen), rejected: chat.render(ex.rejected) };
  if (last.role !== 'user' && last.role !== 'assistant') {
    throw new Error(`the prompt's last message has role '${last.role}'; it must be 'user' or 'assistant' (as in TRL)`);
  }
  const prompt = chat.render(ex.prompt, last.role === 'user' ? { addGenerationPrompt: true } : { continueFinalMessage: true });
  const completion = (side: 'chosen' | 'rejected'): string => {
    const whole = chat.render([...ex.prompt, ...ex[side]]);
    if (!whole.startsWith(prompt)) {
      throw new Error(`the chat template's rendering of prompt + ${side} does not start with its rendering of the prompt alone (TRL cannot split such a template): prompt ${JSON.stringify(prompt)}, prompt + ${side} ${JSON.stringify(whole)}`);
    }
    return whole.slice(prompt.length);
  };
  return { prompt, chosen: completion('chosen'), rejected: completion('rejected') };
}

/**
 * A rendered conversational example on a decoder-only LM: the texts tokenized apart and EOS
 * appended to the completions, as for standard text.
 * NOTE: no BOS is added to the prompt: the template writes it where the model wants one (as
 * transformers and TRL tokenize a rendered chat without special tokens). Only a prompt that renders
 * to nothing starts with BOS (or EOS), so the first completion token is predicted from something.
 */
export function tokenizeChatForCausalLm(tok: TextTokenizer, t: ChatTexts, limits: LengthLimits = {}): TokenizedExample {
  const promptIds = t.prompt ? tok.encode(t.prompt) : [];
  return truncate({
    promptIds: promptIds.length ? promptIds : [tok.bosTokenId ?? tok.eosTokenId],
    chosenIds: [...tok.encode(t.chosen), tok.eosTokenId],
    rejectedIds: [...tok.encode(t.rejected), tok.eosTokenId],
  }, limits);
}

/** ADPO on an LM: the two contexts are prompts; the shared response gets EOS. */
export function tokenizeContextsForCausalLm(
  tok: TextTokenizer, ex: { chosen: string; rejected: string; response: string }, limits: LengthLimits = {},
): TokenizedContexts {
  const responseIds = [...tok.encode(ex.response), tok.eosTokenId];
  const c = truncate({ promptIds: causalLmPromptIds(tok, ex.chosen), chosenIds: responseIds, rejectedIds: responseIds }, limits);
  const r = truncate({ promptIds: causalLmPromptIds(tok, ex.rejected), chosenIds: responseIds, rejectedIds: responseIds }, limits);
  // NOTE: both rows must score the same response tokens: keep the shorter of the two cuts.
  const n = Math.min(c.chosenIds.length, r.chosenIds.length);
  return { chosenPromptIds: c.promptIds, rejectedPromptIds: r.promptIds, responseIds: responseIds.slice(0, n) };
}

/** Whisper's decoder prompt ids, from generation_config.json (see models/whisper). */
export interface WhisperPrompt {
  /** <|startoftranscript|> <|lang|> <|task|> <|notimestamps|>, as resolved from the configs. */
  prefixIds: number[];
  /** <|startofprev|>, which starts a previous-text prompt. */
  startOfPrevId: number | null;
  /** <|endoftext|>. */
  eotId: number;
}

/**
 * Whisper: the decoder prompt is [<|startofprev|> bias tokens]? + the transcript prefix; the
 * completion is transcript tokens + <|endoftext|>. `biasPrompt` is the TRL `prompt` text.
 */
export function tokenizeForWhisper(
  tok: TextTokenizer, prompt: WhisperPrompt, ex: { prompt?: string; chosen: string; rejected: string }, limits: LengthLimits = {},
): TokenizedExample {
  return truncate({
    promptIds: whisperDecoderPrompt(tok, prompt, ex.prompt, limits),
    chosenIds: [...tok.encode(ex.chosen), prompt.eotId],
    rejectedIds: [...tok.encode(ex.rejected), prompt.eotId],
  }, { ...limits, maxPromptLength: null });
}

/**
 * Whisper's decoder prompt for an optional bias text: `<|startofprev|>` + the text's tokens (as HF's
 * `get_prompt_ids`: a leading space, trimmed), then the transcript prefix.
 */
export function whisperDecoderPrompt(tok: TextTokenizer, prompt: WhisperPrompt, biasText: string | undefined, limits: LengthLimits = {}): number[] {
  const bias = biasText?.trim() ? tok.encode(` ${biasText.trim()}`) : [];
  if (bias.length && prompt.startOfPrevId === null) throw new Error('this Whisper tokenizer has no <|startofprev|> token, so a bias prompt cannot be given');
  let biasIds = bias.length ? [prompt.startOfPrevId as number, ...bias] : [];
  // Keep the end of an over-long bias prompt, as TRL keeps the end of prompts.
  if (limits.maxPromptLength && biasIds.length + prompt.prefixIds.length > limits.maxPromptLength) {
    const room = Math.max(0, limits.maxPromptLength - prompt.prefixIds.length - 1);
    biasIds = room > 0 ? [prompt.startOfPrevId as number, ...bias.slice(-room)] : [];
  }
  return [...biasIds, ...prompt.prefixIds];
}

/** ADPO on Whisper: the contexts are bias prompts (with their audio); the transcript is shared. */
export function tokenizeContextsForWhisper(
  tok: TextTokenizer, prompt: WhisperPrompt, ex: { chosen: string; rejected: string; response: string }, limits: LengthLimits = {},
): TokenizedContexts {
  const responseIds = [...tok.encode(ex.response), prompt.eotId];
  const c = truncate({ promptIds: whisperDecoderPrompt(tok, prompt, ex.chosen, limits), chosenIds: responseIds, rejectedIds: responseIds }, { ...limits, maxPromptLength: null });
  const r = truncate({ promptIds: whisperDecoderPrompt(tok, prompt, ex.rejected, limits), chosenIds: responseIds, rejectedIds: responseIds }, { ...limits, maxPromptLength: null });
  const n = Math.min(c.chosenIds.length, r.chosenIds.length);
  return { chosenPromptIds: c.promptIds, rejectedPromptIds: r.promptIds, responseIds: responseIds.slice(0, n) };
}

function truncate(t: TokenizedExample, l: LengthLimits): TokenizedExample {
  let promptIds = l.maxPromptLength ? t.promptIds.slice(-l.maxPromptLength) : t.promptIds;
  let chosenIds = l.maxCompletionLength ? t.chosenIds.slice(0, l.maxCompletionLength) : t.chosenIds;
  let rejectedIds = l.maxCompletionLength ? t.rejectedIds.slice(0, l.maxCompletionLength) : t.rejectedIds;
  if (l.maxLength) {
    promptIds = promptIds.slice(-Math.max(1, l.maxLength - 1));
    const room = Math.max(1, l.maxLength - promptIds.length);
    chosenIds = chosenIds.slice(0, room);
    rejectedIds = rejectedIds.slice(0, room);
  }
  return { promptIds, chosenIds, rejectedIds };
}
