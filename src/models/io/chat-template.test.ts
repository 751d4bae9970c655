// Chat templates render exactly what transformers' apply_chat_template renders (expected strings
// written by hand from the templates' semantics), and templates are found where transformers looks.
import { describe, expect, it } from 'vitest';
import { TINY_CONFIGS, tinyLlamaFolder } from '../llama/tiny';
import { ChatTemplate, ChatTemplateError, pickChatTemplate } from './chat-template';
import { memorySource } from './file-source';
import { folderChatTemplate, loadHfFolder } from './hf-folder';

const user = { role: 'user', content: 'What color is the sky?' };
const blue = { role: 'assistant', content: 'It is blue.' };

/** The tiny Llama's shipped template (tokenizer_config.json's chat_template). */
const tinyChatMl = (): string => {
  const tc = JSON.parse(tinyLlamaFolder(TINY_CONFIGS.llama, 0)['tokenizer_config.json'] as string) as { chat_template: string };
  return tc.chat_template;
};

// Meta's Llama 3 Instruct template: BOS before the first message, contents trimmed.
const LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

describe('rendering', () => {
  it('ChatML (the tiny Llama\'s template): one <|im_start|>role\\n...<|im_end|>\\n block per message, the generation prompt when asked', () => {
    const t = new ChatTemplate(tinyChatMl());
    expect(t.render([user], { addGenerationPrompt: true })).toBe('<|im_start|>user\nWhat color is the sky?<|im_end|>\n<|im_start|>assistant\n');
    expect(t.render([user, blue])).toBe('<|im_start|>user\nWhat color is the sky?<|im_end|>\n<|im_start|>assistant\nIt is blue.<|im_end|>\n');
  });

  it('Llama 3: bos_token from the special tokens, trimmed contents, <|eot_id|> after each message', () => {
    const t = new ChatTemplate(LLAMA3, { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' });
    const sys = { role: 'system', content: 'Be brief. ' };
    expect(t.render([sys, { ...user, content: '  What color is the sky?\n' }], { addGenerationPrompt: true })).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>'
      + '<|start_header_id|>user<|end_header_id|>\n\nWhat color is the sky?<|eot_id|>'
      + '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    expect(t.render([user, blue])).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat color is the sky?<|eot_id|>'
      + '<|start_header_id|>assistant<|end_header_id|>\n\nIt is blue.<|eot_id|>',
    );
  });

  it('compiles with trim_blocks and lstrip_blocks, as transformers does: block lines leave no whitespace behind', () => {
    const src = [
      '{% for m in messages %}',
      '    {% if m.role == "system" %}',
      '<<SYS>>{{ m.content }}<</SYS>>',
      '    {% else %}',
      '{{ m.role }}: {{ m.content }}',
      '    {% endif %}',
      '{% endfor %}',
      '{% if add_generation_prompt %}',
      'assistant:',
      '{% endif %}',
    ].join('\n');
    const t = new ChatTemplate(src);
    expect(t.render([{ role: 'system', content: 's' }, user], { addGenerationPrompt: true })).toBe('<<SYS>>s<</SYS>>\nuser: What color is the sky?\nassistant:\n');
  });

  it('passes tools and documents as none, and special tokens the folder does not define stay undefined', () => {
    const t = new ChatTemplate("{% if tools is not none %}TOOLS{% endif %}{% if documents is none %}[no docs]{% endif %}{{ bos_token }}{{ messages[0].content }}", { eos_token: '</s>' });
    expect(t.render([user])).toBe('[no docs]What color is the sky?');
  });

  it('raise_exception and parse errors are ChatTemplateErrors that say what the template said', () => {
    const t = new ChatTemplate("{% if messages[0]['role'] != 'system' %}{{ raise_exception('Conversations must start with a system message') }}{% endif %}ok");
    expect(() => t.render([user])).toThrow(ChatTemplateError);
    expect(() => t.render([user])).toThrow('chat template: Conversations must start with a system message');
    expect(t.render([{ role: 'system', content: 'x' }])).toBe('ok');
    expect(() => new ChatTemplate('{% for m in %}').render([user])).toThrow(/^chat template: cannot parse it: /);
  });

  it('continue_final_message ends the text right after the last message, as transformers cuts it', () => {
    const t = new ChatTemplate(tinyChatMl());
    const partial = { role: 'assistant', content: 'The sky is' };
    expect(t.render([user, partial], { continueFinalMessage: true })).toBe('<|im_start|>user\nWhat color is the sky?<|im_end|>\n<|im_start|>assistant\nThe sky is');
    // Trailing whitespace the template keeps is kept; whitespace it trimmed away is not brought back.
    expect(t.render([user, { role: 'assistant', content: 'The sky is ' }], { continueFinalMessage: true })).toMatch(/assistant\nThe sky is $/);
    const l3 = new ChatTemplate(LLAMA3, { bos_token: '<B>' });
    expect(l3.render([user, { role: 'assistant', content: 'The sky is ' }], { continueFinalMessage: true })).toMatch(/<\|end_header_id\|>\n\nThe sky is$/);
    // The last text part of a list content is the one continued.
    expect(new ChatTemplate('{{ messages[0].content[1].text }}!').render([{ role: 'assistant', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], { continueFinalMessage: true })).toBe('Hi');
    expect(() => t.render([user], { continueFinalMessage: true, addGenerationPrompt: true })).toThrow(/cannot both be set/);
    expect(() => new ChatTemplate('nothing').render([partial], { continueFinalMessage: true })).toThrow(/does not appear in the rendered chat/);
  });
});

describe('finding the template', () => {
  it('tokenizer_config.json: a string, or a list of named templates (the named one, else "default")', () => {
    expect(pickChatTemplate({ tokenizerConfig: { chat_template: 'A' } })).toBe('A');
    const list = { chat_template: [{ name: 'default', template: 'D' }, { name: 'tool_use', template: 'T' }] };
    expect(pickChatTemplate({ tokenizerConfig: list })).toBe('D');
    expect(pickChatTemplate({ tokenizerConfig: list }, 'tool_use')).toBe('T');
    expect(() => pickChatTemplate({ tokenizerConfig: list }, 'rag')).toThrow("chat template 'rag' not found (the model has 'default', 'tool_use')");
    expect(() => pickChatTemplate({ tokenizerConfig: { chat_template: [{ name: 'a', template: 'A' }, { name: 'b', template: 'B' }] } })).toThrow(/several chat templates and none is named 'default': 'a', 'b'/);
    expect(() => pickChatTemplate({ tokenizerConfig: { chat_template: 3 } })).toThrow(ChatTemplateError);
    expect(pickChatTemplate({ tokenizerConfig: { eos_token: '</s>' } })).toBeNull();
    expect(pickChatTemplate({})).toBeNull();
  });

  it('chat_template.jinja wins over tokenizer_config.json; the folder\'s special tokens (AddedToken objects too) reach the template', async () => {
    const files = tinyLlamaFolder(TINY_CONFIGS.llama, 0);
    const tc = { bos_token: { content: '<|im_start|>', special: true }, eos_token: '<|endoftext|>', chat_template: 'from the config' };
    const folder = await loadHfFolder(memorySource({ ...files, 'tokenizer_config.json': JSON.stringify(tc), 'chat_template.jinja': '{{ bos_token }}[{{ messages[0].content }}]{{ eos_token }}' }), { weights: false });
    expect(folder.chatTemplateJinja).toBe('{{ bos_token }}[{{ messages[0].content }}]{{ eos_token }}');
    expect(folderChatTemplate(folder)!.render([user])).toBe('<|im_start|>[What color is the sky?]<|endoftext|>');
    const noFile = await loadHfFolder(memorySource({ ...files, 'tokenizer_config.json': JSON.stringify(tc) }), { weights: false });
    expect(noFile.chatTemplateJinja).toBeNull();
    expect(folderChatTemplate(noFile)!.render([user])).toBe('from the config');
    const none = await loadHfFolder(memorySource({ 'config.json': files['config.json'] }), { weights: false });
    expect(folderChatTemplate(none)).toBeNull();
  });
});
