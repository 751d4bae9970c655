"""Golden values for the Whisper graphs: a tiny random Whisper written as an HF folder, and
a plain-PyTorch forward (written from HF modeling_whisper's semantics, eval mode) for inputs.

    /usr/bin/python3 tests/golden/models/whisper/gen.py

Writes tests/golden/models/whisper/tiny/ (config.json, model.safetensors, generation_config.json,
preprocessor_config.json, tokenizer.json) and tests/golden/models/whisper/golden.safetensors.
The forward runs in float64 from the float32 weights; results are stored as float32.
"""
import math
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/golden/models
from common import bpe_encode, bpe_tokenizer_json, write_json, write_safetensors  # noqa: E402

# Normal tokens first (byte-level BPE), then Whisper's special tokens in Whisper's order.
CHARS = list('abcdefghijklmnopqrstuvwxyz') + ['Ġ', "'", '.', ','] + list('0123456789')
MERGES = ['Ġ t', 'h e', 'Ġt he', 'Ġ a', 'i n', 'e r', 'o n', 'Ġ s', 'Ġ w', 'o r', 'a t', 'e n',
          'Ġ c', 'i s', 'Ġ o', 'Ġ b', 'e s', 'i t', 'a n', 'Ġ h', 'Ġ i', 'Ġ m', 'Ġ d', 'in g']
LANGS = ['en', 'zh', 'de']
SPECIALS = (['<|endoftext|>', '<|startoftranscript|>'] + [f'<|{l}|>' for l in LANGS]
            + ['<|translate|>', '<|transcribe|>', '<|startoflm|>', '<|startofprev|>', '<|nocaptions|>',
               '<|notimestamps|>'] + [f'<|{0.02 * i:.2f}|>' for i in range(5)])

CONFIG = dict(
    d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
    encoder_ffn_dim=64, decoder_ffn_dim=64, num_mel_bins=80, max_source_positions=50,
    max_target_positions=24, activation_function='gelu', scale_embedding=False,
)


def vocab():
    v = {c: i for i, c in enumerate(CHARS)}
    for m in MERGES:
        v[m.replace(' ', '')] = len(v)
    for s in SPECIALS:
        v[s] = len(v)
    return v


def sinusoids(length, channels, max_timescale=10000):
    """Whisper's encoder position table: [sin | cos] over log-spaced timescales."""
    inc = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-inc * torch.arange(channels // 2, dtype=torch.float64))
    t = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1)


def make_weights(cfg, seed):
    """Random float32 weights with HF names (tied head: no proj_out)."""
    g = torch.Generator().manual_seed(seed)
    d, V = cfg['d_model'], cfg['vocab_size']
    w = {}

    def rnd(*shape, std=0.15):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * std).float()

    def lin(name, o, i, bias=True):
        w[f'{name}.weight'] = rnd(o, i, std=1 / math.sqrt(i))
        if bias:
            w[f'{name}.bias'] = rnd(o, std=0.05)

    def ln(name):
        w[f'{name}.weight'] = 1 + rnd(d, std=0.1)
        w[f'{name}.bias'] = rnd(d, std=0.05)

    def attn(p):
        lin(f'{p}.k_proj', d, d, bias=False)
        lin(f'{p}.v_proj', d, d)
        lin(f'{p}.q_proj', d, d)
        lin(f'{p}.out_proj', d, d)

    m = cfg['num_mel_bins']
    w['model.encoder.conv1.weight'] = rnd(d, m, 3, std=1 / math.sqrt(3 * m))
    w['model.encoder.conv1.bias'] = rnd(d, std=0.05)
    w['model.encoder.conv2.weight'] = rnd(d, d, 3, std=1 / math.sqrt(3 * d))
    w['model.encoder.conv2.bias'] = rnd(d, std=0.05)
    w['model.encoder.embed_positions.weight'] = sinusoids(cfg['max_source_positions'], d).float()
    for i in range(cfg['encoder_layers']):
        p = f'model.encoder.layers.{i}'
        attn(f'{p}.self_attn')
        ln(f'{p}.self_attn_layer_norm')
        lin(f'{p}.fc1', cfg['encoder_ffn_dim'], d)
        lin(f'{p}.fc2', d, cfg['encoder_ffn_dim'])
        ln(f'{p}.final_layer_norm')
    ln('model.encoder.layer_norm')
    w['model.decoder.embed_tokens.weight'] = rnd(V, d, std=0.5)
    w['model.decoder.embed_positions.weight'] = rnd(cfg['max_target_positions'], d, std=0.1)
    for i in range(cfg['decoder_layers']):
        p = f'model.decoder.layers.{i}'
        attn(f'{p}.self_attn')
        ln(f'{p}.self_attn_layer_norm')
        attn(f'{p}.encoder_attn')
        ln(f'{p}.encoder_attn_layer_norm')
        lin(f'{p}.fc1', cfg['decoder_ffn_dim'], d)
        lin(f'{p}.fc2', d, cfg['decoder_ffn_dim'])
        ln(f'{p}.final_layer_norm')
    ln('model.decoder.layer_norm')
    return w


# ---- the reference forward (float64) --------------------------------------------------------

def _lin(w, name, x, bias=True):
    y = x @ w[f'{name}.weight'].T
    return y + w[f'{name}.bias'] if bias else y


def _ln(w, name, x):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w[f'{name}.weight'], w[f'{name}.bias'], 1e-5)


def _attention(w, p, x, kv, heads, mask):
    """HF WhisperAttention (eager): q scaled by head_dim^-0.5, k_proj without bias."""
    B, L, d = x.shape
    S = kv.shape[1]
    dh = d // heads
    q = (_lin(w, f'{p}.q_proj', x) * dh ** -0.5).view(B, L, heads, dh).transpose(1, 2)
    k = _lin(w, f'{p}.k_proj', kv, bias=False).view(B, S, heads, dh).transpose(1, 2)
    v = _lin(w, f'{p}.v_proj', kv).view(B, S, heads, dh).transpose(1, 2)
    scores = q @ k.transpose(-1, -2)
    if mask is not None:
        scores = scores + mask
    o = torch.softmax(scores, dim=-1) @ v
    return _lin(w, f'{p}.out_proj', o.transpose(1, 2).reshape(B, L, d))


def gelu(x):
    return torch.nn.functional.gelu(x)


def encode(w, cfg, feats):
    """features [B, n_mels, T] -> [B, ceil(T/2), d]; shorter inputs use the first positions."""
    x = gelu(torch.nn.functional.conv1d(feats, w['model.encoder.conv1.weight'], w['model.encoder.conv1.bias'], padding=1))
    x = gelu(torch.nn.functional.conv1d(x, w['model.encoder.conv2.weight'], w['model.encoder.conv2.bias'], stride=2, padding=1))
    x = x.permute(0, 2, 1)
    x = x + w['model.encoder.embed_positions.weight'][: x.shape[1]]
    for i in range(cfg['encoder_layers']):
        p = f'model.encoder.layers.{i}'
        x = x + _attention(w, f'{p}.self_attn', _ln(w, f'{p}.self_attn_layer_norm', x), _ln(w, f'{p}.self_attn_layer_norm', x), cfg['encoder_attention_heads'], None)
        x = x + _lin(w, f'{p}.fc2', gelu(_lin(w, f'{p}.fc1', _ln(w, f'{p}.final_layer_norm', x))))
    return _ln(w, 'model.encoder.layer_norm', x)


def decode(w, cfg, enc, ids, mask):
    """ids [B, L] (+ 0/1 mask [B, L]) -> logits [B, L, V]; mask as HF's 4-D causal+padding mask."""
    B, L = ids.shape
    x = w['model.decoder.embed_tokens.weight'][ids]
    if cfg['scale_embedding']:
        x = x * math.sqrt(cfg['d_model'])
    x = x + w['model.decoder.embed_positions.weight'][:L]
    neg = torch.finfo(torch.float64).min
    allowed = torch.tril(torch.ones(L, L, dtype=torch.bool))[None, None] & (mask[:, None, None, :] == 1)
    m = torch.zeros(B, 1, L, L, dtype=torch.float64).masked_fill(~allowed, neg)
    for i in range(cfg['decoder_layers']):
        p = f'model.decoder.layers.{i}'
        h = _ln(w, f'{p}.self_attn_layer_norm', x)
        x = x + _attention(w, f'{p}.self_attn', h, h, cfg['decoder_attention_heads'], m)
        x = x + _attention(w, f'{p}.encoder_attn', _ln(w, f'{p}.encoder_attn_layer_norm', x), enc, cfg['decoder_attention_heads'], None)
        x = x + _lin(w, f'{p}.fc2', gelu(_lin(w, f'{p}.fc1', _ln(w, f'{p}.final_layer_norm', x))))
    x = _ln(w, 'model.decoder.layer_norm', x)
    return x @ w['model.decoder.embed_tokens.weight'].T


def as64(w):
    return {k: v.double() for k, v in w.items()}


def write_folder(folder, cfg, weights, v):
    ids = {s: v[s] for s in SPECIALS}
    eot = ids['<|endoftext|>']
    full = dict(architectures=['WhisperForConditionalGeneration'], model_type='whisper', **cfg,
                pad_token_id=eot, bos_token_id=eot, eos_token_id=eot,
                decoder_start_token_id=ids['<|startoftranscript|>'], tie_word_embeddings=True, torch_dtype='float32')
    write_json(folder / 'config.json', full)
    write_json(folder / 'generation_config.json', {
        'bos_token_id': eot, 'eos_token_id': eot, 'pad_token_id': eot,
        'decoder_start_token_id': ids['<|startoftranscript|>'],
        'is_multilingual': True,
        'lang_to_id': {f'<|{l}|>': ids[f'<|{l}|>'] for l in LANGS},
        'task_to_id': {'translate': ids['<|translate|>'], 'transcribe': ids['<|transcribe|>']},
        'no_timestamps_token_id': ids['<|notimestamps|>'],
        'prev_sot_token_id': ids['<|startofprev|>'],
        'forced_decoder_ids': [[1, None], [2, ids['<|transcribe|>']]],
        'begin_suppress_tokens': [v['Ġ'], eot],
        'suppress_tokens': [],
        'max_length': cfg['max_target_positions'],
    })
    frames = 2 * cfg['max_source_positions']
    write_json(folder / 'preprocessor_config.json', {
        'feature_extractor_type': 'WhisperFeatureExtractor', 'processor_class': 'WhisperProcessor',
        'feature_size': cfg['num_mel_bins'], 'sampling_rate': 16000, 'hop_length': 160, 'n_fft': 400,
        'chunk_length': frames * 160 // 16000, 'n_samples': frames * 160, 'nb_max_frames': frames,
        'padding_side': 'right', 'padding_value': 0.0, 'return_attention_mask': False,
    })
    write_json(folder / 'tokenizer.json', bpe_tokenizer_json(v, MERGES, SPECIALS))
    write_json(folder / 'tokenizer_config.json', {
        'tokenizer_class': 'WhisperTokenizer', 'bos_token': '<|endoftext|>', 'eos_token': '<|endoftext|>',
        'pad_token': '<|endoftext|>', 'unk_token': '<|endoftext|>', 'model_max_length': cfg['max_target_positions'],
        'clean_up_tokenization_spaces': False,
    })
    write_safetensors(folder / 'model.safetensors', {k: t.numpy() for k, t in weights.items()})


def main():
    v = vocab()
    cfg = dict(CONFIG, vocab_size=len(v))
    weights = make_weights(cfg, seed=3)
    folder = HERE / 'tiny'
    write_folder(folder, cfg, weights, v)
    w = as64(weights)

    g = torch.Generator().manual_seed(4)
    feats = (torch.randn(2, cfg['num_mel_bins'], 100, generator=g, dtype=torch.float64) * 0.5).float()
    short = (torch.randn(1, cfg['num_mel_bins'], 61, generator=g, dtype=torch.float64) * 0.5).float()
    sot, eot = v['<|startoftranscript|>'], v['<|endoftext|>']
    prompt_en = [sot, v['<|en|>'], v['<|transcribe|>'], v['<|notimestamps|>']]
    prompt_de = [sot, v['<|de|>'], v['<|transcribe|>'], v['<|notimestamps|>']]
    row0 = prompt_en + bpe_encode(' the cat', v, MERGES) + [eot]
    row1 = prompt_de + bpe_encode(' is', v, MERGES) + [eot]
    L = max(len(row0), len(row1)) + 1
    ids = torch.tensor([r + [eot] * (L - len(r)) for r in (row0, row1)], dtype=torch.int64)
    mask = torch.tensor([[1] * len(r) + [0] * (L - len(r)) for r in (row0, row1)], dtype=torch.int64)

    enc = encode(w, cfg, feats.double())
    logits = decode(w, cfg, enc, ids, mask)
    enc_short = encode(w, cfg, short.double())
    write_safetensors(HERE / 'golden.safetensors', {
        'input_features': feats.numpy(),
        'decoder_input_ids': (ids.numpy(), 'I32'),
        'decoder_attention_mask': (mask.numpy(), 'I32'),
        'encoder_hidden': enc.float().numpy(),
        'logits': logits.float().numpy(),
        'input_features_short': short.numpy(),
        'encoder_hidden_short': enc_short.float().numpy(),
    })
    print('tokens', ids.tolist(), 'mask', mask.tolist())
    print('logits std', float(logits.std()), 'enc std', float(enc.std()))


if __name__ == '__main__':
    main()
