// Chat templates as transformers applies them: the Jinja string from a model folder's
// chat_template.jinja or tokenizer_config.json `chat_template` (one string, or a list of named
// templates), rendered with @huggingface/jinja (trim_blocks and lstrip_blocks on, as transformers
// compiles templates) over `messages`, `add_generation_prompt`, the special token strings,
// `tools`/`documents` (none) and the library's `raise_exception`.
import { Template } from '@huggingface/jinja';

/** One typed part of a message's content (`{type: 'text', text}`, `{type: 'image'}`, ...). */
export interface ChatPart {
  type: string;
  text?: string;
}

/** A chat message as templates see it: a role and text or a list of parts. */
export interface ChatMessage {
  role: string;
  content: string | readonly ChatPart[];
}

/** How to render: transformers' `add_generation_prompt` and `continue_final_message`. */
export interface RenderOptions {
  addGenerationPrompt?: boolean;
  /** Cut the rendering right after the last message's text, so a model continues it. */
  continueFinalMessage?: boolean;
}

/** A template that cannot be found, parsed or rendered; the message says which and why. */
export class ChatTemplateError extends Error {
  override name = 'ChatTemplateError';
}

/** A compiled chat template with the special token strings it renders with. */
export class ChatTemplate {
  private compiled: Template | null = null;

  /** `specialTokens`: `bos_token`, `eos_token`, ... as transformers passes its special_tokens_map. */
  constructor(readonly source: string, private readonly specialTokens: Readonly<Record<string, string>> = {}) {}

  /** The template's text for `messages` (transformers' `apply_chat_template(..., tokenize=False)`). */
  render(messages: readonly ChatMessage[], opts: RenderOptions = {}): string {
    const addGenerationPrompt = opts.addGenerationPrompt ?? false;
    if (addGenerationPrompt && opts.continueFinalMessage) {
      throw new ChatTemplateError('chat template: add_generation_prompt and continue_final_message cannot both be set');
    }
    let out: string;
    try {
      this.compiled ??= new Template(this.source);
    } catch (e) {
      throw new ChatTemplateError(`chat template: cannot parse it: ${errorText(e)}`);
    }
    try {
      // NOTE: the library defines raise_exception itself (it throws the template's message), and
      // redefining it is an error; tools/documents are none, as transformers passes them.
      out = this.compiled.render({
        ...this.specialTokens, messages, add_generation_prompt: addGenerationPrompt, tools: null, documents: null,
      });
    } catch (e) {
      throw new ChatTemplateError(`chat template: ${errorText(e)}`);
    }
    return opts.continueFinalMessage ? cutAfterFinalMessage(out, messages) : out;
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * transformers' continue_final_message: end the text right after the last occurrence of the final
 * message's text (stripped), keeping its trailing whitespace only when the template kept it too.
 */
function cutAfterFinalMessage(rendered: string, messages: readonly ChatMessage[]): string {
  const last = messages.at(-1);
  if (!last) throw new ChatTemplateError('chat template: continue_final_message needs at least one message');
  const content = last.content;
  const text = typeof content === 'string' ? content : [...content].reverse().find((p) => typeof p.text === 'string')?.text;
  if (text === undefined) throw new ChatTemplateError('chat template: continue_final_message: the final message has no text to continue');
  const at = rendered.lastIndexOf(text.trim());
  if (at < 0) throw new ChatTemplateError('chat template: continue_final_message: the final message does not appear in the rendered chat');
  const lstripped = text.replace(/^\s+/, '');
  return rendered.slice(0, rendered.slice(at, at + lstripped.length) === text ? at + lstripped.length : at + text.trim().length);
}

/** Where a folder's template may be: tokenizer_config.json (parsed) and chat_template.jinja (text). */
export interface ChatTemplateFiles {
  tokenizerConfig?: unknown;
  chatTemplateJinja?: string | null;
}

/**
 * The template's Jinja source, as transformers picks it: chat_template.jinja first (it wins over
 * tokenizer_config.json); a list of named templates gives `name`'s, else the one named 'default'.
 * Null when the folder has none.
 */
export function pickChatTemplate(files: ChatTemplateFiles, name?: string): string | null {
  const named: Record<string, string> = {};
  if (typeof files.chatTemplateJinja === 'string') {
    named.default = files.chatTemplateJinja;
  } else {
    const tc = files.tokenizerConfig;
    const entry = tc && typeof tc === 'object' && !Array.isArray(tc) ? (tc as Record<string, unknown>).chat_template : undefined;
    if (entry === undefined || entry === null) return null;
    if (typeof entry === 'string') named.default = entry;
    else if (Array.isArray(entry)) {
      for (const t of entry) {
        const r = t && typeof t === 'object' ? (t as Record<string, unknown>) : {};
        if (typeof r.name !== 'string' || typeof r.template !== 'string') {
          throw new ChatTemplateError('tokenizer_config.json: chat_template must be a string or a list of {name, template} objects');
        }
        named[r.name] = r.template;
      }
    } else {
      throw new ChatTemplateError('tokenizer_config.json: chat_template must be a string or a list of {name, template} objects');
    }
  }
  const names = Object.keys(named).sort();
  if (name !== undefined) {
    if (!(name in named)) throw new ChatTemplateError(`chat template '${name}' not found (the model has ${names.map((n) => `'${n}'`).join(', ') || 'none'})`);
    return named[name];
  }
  if ('default' in named) return named.default;
  if (names.length === 0) return null;
  throw new ChatTemplateError(`the model has several chat templates and none is named 'default': ${names.map((n) => `'${n}'`).join(', ')}`);
}
