"""Golden values for the Llama/Qwen2 decoder: tiny HF folders (random weights), a padded batch and
the logits of an independent plain-PyTorch forward written from HF modeling_llama/modeling_qwen2
semantics (float64 except RoPE angles, which HF forms in float32).

Run: /usr/bin/python3 tests/golden/models/llama/gen.py   (writes tests/golden/models/llama/fixtures/)
"""
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import (bpe_encode, bpe_tokenizer_json, bytes_to_unicode, from_bf16_bits, to_bf16_bits,  # noqa: E402
                    wordlevel_tokenizer_json, write_json, write_safetensors, write_sharded_safetensors)

OUT = HERE / 'fixtures'

# ---------------------------------------------------------------- tokenizer (hand-built byte-level BPE)
SPECIALS = ['<|endoftext|>', '<s>', '</s>', '<pad>']
B2U = bytes_to_unicode()
SYMBOLS = [B2U[ord(' ')]] + [chr(c) for c in range(ord('a'), ord('z') + 1)] + ['.', ',', '!', '0', '1']
MERGES = ['Ġ t', 'h e', 'Ġt he', 'i n', 'Ġ a', 'e r', 'o n', 'a t', 'Ġ s', 'e n', 'o r', 'Ġ c', 'a n', 'Ġa n',
          'Ġ i', 'Ġi s', 'Ġ o', 'Ġo n', 'Ġc at', 'Ġs at', 'in g', 'Ġ m', 'Ġm at', 'Ġ d', 'o g', 'Ġd og', 'Ġan d']
VOCAB = {t: i for i, t in enumerate(SPECIALS + SYMBOLS + [m.replace(' ', '') for m in MERGES])}
assert len(VOCAB) == 4 + 32 + 27 == 63
TEXTS = ['the cat sat on the mat.', 'a dog and the cat, sitting!', 'theater in 10', 'is', ' the  dog ']


def tokenizer_cases():
    return [{'text': t, 'ids': bpe_encode(t, VOCAB, MERGES)} for t in TEXTS]


def write_tokenizer(folder, style):
    if style == 'llama':
        write_json(folder / 'tokenizer.json', bpe_tokenizer_json(VOCAB, MERGES, SPECIALS, bos='<s>'))
        write_json(folder / 'tokenizer_config.json', {
            'bos_token': '<s>', 'eos_token': '</s>', 'pad_token': None, 'clean_up_tokenization_spaces': False,
            'model_max_length': 64, 'tokenizer_class': 'PreTrainedTokenizerFast'})
        special = lambda s: {'content': s, 'lstrip': False, 'normalized': False, 'rstrip': False, 'single_word': False}
        write_json(folder / 'special_tokens_map.json', {'bos_token': special('<s>'), 'eos_token': special('</s>'), 'pad_token': special('<pad>')})
    else:  # qwen2: no BOS, eos = pad = <|endoftext|>, merges as pairs (newer tokenizers format)
        write_json(folder / 'tokenizer.json', bpe_tokenizer_json(VOCAB, MERGES, SPECIALS, bos=None, merges_as_pairs=True))
        write_json(folder / 'tokenizer_config.json', {
            'bos_token': None, 'eos_token': '<|endoftext|>', 'pad_token': '<|endoftext|>',
            'clean_up_tokenization_spaces': False, 'tokenizer_class': 'Qwen2Tokenizer'})


# ---------------------------------------------------------------- the reference forward
def rms_norm(x, w, eps):
    return w * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))


def rope_cos_sin(pos, head_dim, theta):
    """As HF LlamaRotaryEmbedding (default rope_type): float32 inv_freq and angles."""
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    ang = pos.float()[..., None] * inv  # [B, T, D/2] float32
    emb = torch.cat([ang, ang], -1)
    return emb.cos().double(), emb.sin().double()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


def forward(cfg, W, ids, mask, pos):
    B, T = ids.shape
    Hq, Hkv, D = cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['head_dim']
    eps = cfg['rms_norm_eps']
    qwen = cfg['model_type'] == 'qwen2'
    qkv_bias = qwen or cfg.get('attention_bias', False)
    o_bias = (not qwen) and cfg.get('attention_bias', False)
    lin = lambda x, name, bias: x @ W[name + '.weight'].T + (W[name + '.bias'] if bias else 0)
    cos, sin = rope_cos_sin(pos, D, cfg['rope_theta'])
    cos, sin = cos[:, None], sin[:, None]  # [B, 1, T, D]
    neg = torch.finfo(torch.float64).min
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))[None] & mask.bool()[:, None, :]  # [B, T, T]
    add_mask = torch.where(allowed, torch.tensor(0.0, dtype=torch.float64), torch.tensor(neg, dtype=torch.float64))[:, None]  # [B, 1, T, T]
    h = W['model.embed_tokens.weight'][ids]
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}'
        x = rms_norm(h, W[p + '.input_layernorm.weight'], eps)
        q = lin(x, p + '.self_attn.q_proj', qkv_bias).view(B, T, Hq, D).transpose(1, 2)
        k = lin(x, p + '.self_attn.k_proj', qkv_bias).view(B, T, Hkv, D).transpose(1, 2)
        v = lin(x, p + '.self_attn.v_proj', qkv_bias).view(B, T, Hkv, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(Hq // Hkv, dim=1)  # HF repeat_kv: query head j reads kv head j // rep
        v = v.repeat_interleave(Hq // Hkv, dim=1)
        scores = q @ k.transpose(-1, -2) / D ** 0.5 + add_mask
        o = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, T, Hq * D)
        h = h + lin(o, p + '.self_attn.o_proj', o_bias)
        y = rms_norm(h, W[p + '.post_attention_layernorm.weight'], eps)
        gate = lin(y, p + '.mlp.gate_proj', False)
        h = h + lin(torch.nn.functional.silu(gate) * lin(y, p + '.mlp.up_proj', False), p + '.mlp.down_proj', False)
    h = rms_norm(h, W['model.norm.weight'], eps)
    head = W['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else W['lm_head.weight']
    return h @ head.T


# ---------------------------------------------------------------- tiny models
def config(model_type, **kw):
    c = {
        'architectures': ['Qwen2ForCausalLM' if model_type == 'qwen2' else 'LlamaForCausalLM'],
        'model_type': model_type, 'vocab_size': 64, 'hidden_size': 32, 'intermediate_size': 48,
        'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 4, 'head_dim': 8,
        'hidden_act': 'silu', 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'rope_scaling': None,
        'max_position_embeddings': 128, 'tie_word_embeddings': False, 'torch_dtype': 'float32',
        'bos_token_id': 1, 'eos_token_id': 2,
    }
    if model_type == 'llama':
        c.update(attention_bias=False, mlp_bias=False, pretraining_tp=1)
    else:
        c.update(use_sliding_window=False, sliding_window=None, max_window_layers=2, bos_token_id=None, eos_token_id=0)
    c.update(kw)
    return c


def weight_shapes(c):
    H, D, I = c['hidden_size'], c['head_dim'], c['intermediate_size']
    qwen = c['model_type'] == 'qwen2'
    bias = qwen or c.get('attention_bias', False)
    s = {'model.embed_tokens.weight': (c['vocab_size'], H)}
    for l in range(c['num_hidden_layers']):
        p = f'model.layers.{l}'
        s[p + '.input_layernorm.weight'] = (H,)
        for n, o in [('q', c['num_attention_heads'] * D), ('k', c['num_key_value_heads'] * D), ('v', c['num_key_value_heads'] * D)]:
            s[f'{p}.self_attn.{n}_proj.weight'] = (o, H)
            if bias:
                s[f'{p}.self_attn.{n}_proj.bias'] = (o,)
        s[p + '.self_attn.o_proj.weight'] = (H, c['num_attention_heads'] * D)
        s[p + '.post_attention_layernorm.weight'] = (H,)
        s[p + '.mlp.gate_proj.weight'] = (I, H)
        s[p + '.mlp.up_proj.weight'] = (I, H)
        s[p + '.mlp.down_proj.weight'] = (H, I)
    s['model.norm.weight'] = (H,)
    if not c['tie_word_embeddings']:
        s['lm_head.weight'] = (c['vocab_size'], H)
    return s


def random_weights(c, seed):
    g = torch.Generator().manual_seed(seed)
    W = {}
    for name, shape in weight_shapes(c).items():
        if name.endswith('norm.weight'):
            W[name] = 1 + 0.2 * torch.randn(shape, generator=g)
        elif 'embed' in name:
            W[name] = torch.randn(shape, generator=g)
        else:
            fan_in = shape[-1] if len(shape) == 2 else c['hidden_size']
            W[name] = (torch.rand(shape, generator=g) * 2 - 1) * (1.5 / fan_in ** 0.5)
    return W


def stored(W, dtype):
    """Weights as the file holds them, and the float64 values the reference uses."""
    if dtype == 'F32':
        return {n: (w.numpy().astype(np.float32), 'F32') for n, w in W.items()}, {n: w.float().double() for n, w in W.items()}
    if dtype == 'F16':
        return {n: (w.half().numpy(), 'F16') for n, w in W.items()}, {n: w.half().double() for n, w in W.items()}
    # BF16 through the plain-numpy rounding in common.py, checked against torch's own conversion.
    ref = {n: torch.from_numpy(from_bf16_bits(to_bf16_bits(w.numpy()))).double() for n, w in W.items()}
    for n, w in W.items():
        assert torch.equal(ref[n], w.bfloat16().double()), n
    return {n: (w.numpy(), 'BF16') for n, w in W.items()}, ref


def batch(seed, vocab, pad):
    g = torch.Generator().manual_seed(seed)
    B, T = 3, 7
    ids = torch.randint(4, vocab, (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.int64)
    mask[1, 4:] = 0  # right padding
    mask[2, :2] = 0  # left padding
    ids = torch.where(mask.bool(), ids, torch.tensor(pad))
    return ids, mask


def make_case(name, cfg, seed, dtype, shards=0, tok='llama'):
    folder = OUT / name
    W = random_weights(cfg, seed)
    tensors, ref = stored(W, dtype)
    if shards:
        write_sharded_safetensors(folder, tensors, shards)
    else:
        write_safetensors(folder / 'model.safetensors', tensors)
    write_json(folder / 'config.json', cfg)
    gen = {'bos_token_id': cfg['bos_token_id'], 'eos_token_id': [2, 0] if tok == 'qwen2' else 2, '_from_model_config': False}
    if tok == 'qwen2':
        gen['pad_token_id'] = 0
    write_json(folder / 'generation_config.json', gen)
    write_tokenizer(folder, tok)

    pad = 0 if tok == 'qwen2' else 3
    ids, mask = batch(seed + 1, cfg['vocab_size'], pad)
    B, T = ids.shape
    arange = torch.arange(T)[None].expand(B, T)
    gen_pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)  # HF generate's position ids
    # NOTE: RoPE scores depend only on position differences, so a shifted row gives the same logits;
    # row 0 gets stride-2 positions so these expectations really differ from the default ones.
    gen_pos[0] = torch.arange(T) * 2
    logits = forward(cfg, ref, ids, mask, arange)
    logits_pos = forward(cfg, ref, ids, mask, gen_pos)
    assert torch.isfinite(logits[mask.bool()]).all()
    write_safetensors(folder.parent / f'{name}.golden.safetensors', {
        'input_ids': (ids.numpy(), 'I64'),
        'attention_mask': (mask.numpy(), 'I64'),
        'position_ids': (gen_pos.numpy(), 'I64'),
        'logits': (logits.numpy().astype(np.float32), 'F32'),
        'logits_position_ids': (logits_pos.numpy().astype(np.float32), 'F32'),
    })


def make_dtypes():
    """One file with the same values as F32, F16, BF16 (+ integer tensors) and torch's conversions."""
    g = torch.Generator().manual_seed(7)
    x = torch.randn(3, 5, generator=g) * 10
    x[0, :4] = torch.tensor([0.0, -0.0, 65504.0, 6.0e-8])  # zero, -0, f16 max, an f16 subnormal
    write_safetensors(OUT / 'dtypes.safetensors', {
        'x_f32': (x.numpy(), 'F32'),
        'x_f16': (x.half().numpy(), 'F16'),
        'x_bf16': (x.numpy(), 'BF16'),
        'x_f16_as_f32': (x.half().float().numpy(), 'F32'),
        'x_bf16_as_f32': (x.bfloat16().float().numpy(), 'F32'),
        'i64': (np.array([[-3, 0], [2 ** 40, 7]], dtype=np.int64), 'I64'),
        'i32': (np.array([-5, 9, 2 ** 31 - 1], dtype=np.int32), 'I32'),
        'u8': (np.array([1, 2, 3], dtype=np.uint8), 'U8'),
    })


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # Llama, multi-head, untied lm_head, F32 in two shards.
    make_case('llama-untied-sharded', config('llama'), 11, 'F32', shards=2)
    # Llama with GQA (4 query heads on 2 kv heads), tied embeddings, head_dim != hidden/heads, F16.
    make_case('llama-gqa-tied-f16', config('llama', num_key_value_heads=2, head_dim=16, tie_word_embeddings=True), 12, 'F16')
    # Qwen2: q/k/v bias, GQA 4 -> 1, rope_theta 1e6, BF16 weights.
    make_case('qwen2-bf16', config('qwen2', num_key_value_heads=1, rope_theta=1e6), 13, 'BF16', tok='qwen2')
    make_dtypes()
    write_json(OUT / 'tokenizer-cases.json', tokenizer_cases())
    words = {w: i for i, w in enumerate(['<unk>', '<pad>', 'the', 'cat', 'sat', 'on', 'mat', '.', ',', '!'])}
    write_json(OUT / 'wordlevel' / 'tokenizer.json', wordlevel_tokenizer_json(words, '<unk>', ['<unk>', '<pad>']))
    write_json(OUT / 'wordlevel-cases.json', [
        {'text': 'the cat sat on the mat.', 'ids': [2, 3, 4, 5, 2, 6, 7]},
        {'text': 'the dog sat!', 'ids': [2, 0, 4, 9]},
    ])


if __name__ == '__main__':
    main()
