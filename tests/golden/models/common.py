"""Plain-Python helpers for golden-value generators (no safetensors/transformers/tokenizers libs).

Import from a generator next to this file:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/golden/models
    from common import write_safetensors, write_json, bpe_tokenizer_json, ...

Run generators with /usr/bin/python3 (torch + numpy).
"""
import json
import struct
from pathlib import Path

import numpy as np

# safetensors dtype name -> (numpy dtype used to lay out the bytes, byte size)
_NP = {
    'F64': np.float64, 'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32,
    'I16': np.int16, 'I8': np.int8, 'U8': np.uint8, 'BOOL': np.bool_,
}


def to_bf16_bits(x):
    """float32 array -> uint16 bfloat16 bits, round to nearest even (as torch's .bfloat16())."""
    f = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (f + 0x7FFF + ((f >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bf16_bits(bits):
    """uint16 bfloat16 bits -> float32 array."""
    return (np.asarray(bits, dtype=np.uint32) << 16).view(np.float32)


def tensor_bytes(array, dtype):
    """Little-endian bytes of `array` stored as safetensors `dtype` (F32, F16, BF16, I64, ...)."""
    a = np.asarray(array)
    if dtype == 'BF16':
        return to_bf16_bits(a.astype(np.float32)).astype('<u2').tobytes()
    np_t = np.dtype(_NP[dtype]).newbyteorder('<')
    return np.ascontiguousarray(a.astype(np_t)).tobytes()


def safetensors_bytes(tensors, metadata=None):
    """tensors: dict name -> (array, dtype) or array (F32). Returns the file's bytes."""
    header = {'__metadata__': metadata if metadata is not None else {'format': 'pt'}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        array, dtype = t if isinstance(t, tuple) else (t, 'F32')
        data = tensor_bytes(array, dtype)
        shape = list(np.asarray(array).shape)
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * ((8 - (8 + len(head)) % 8) % 8)
    return struct.pack('<Q', len(head)) + head + b''.join(blobs)


def write_safetensors(path, tensors, metadata=None):
    """Write a safetensors file (see safetensors_bytes)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(safetensors_bytes(tensors, metadata))


def write_sharded_safetensors(folder, tensors, n_shards, base='model'):
    """Split tensors into n_shards files `model-0000i-of-0000n.safetensors` plus the index JSON."""
    names = list(tensors)
    per = (len(names) + n_shards - 1) // n_shards
    weight_map = {}
    total = 0
    for i in range(n_shards):
        part = {n: tensors[n] for n in names[i * per:(i + 1) * per]}
        fname = f'{base}-{i + 1:05d}-of-{n_shards:05d}.safetensors'
        write_safetensors(Path(folder) / fname, part)
        for n, t in part.items():
            weight_map[n] = fname
            array, dtype = t if isinstance(t, tuple) else (t, 'F32')
            total += len(tensor_bytes(array, dtype))
    write_json(Path(folder) / f'{base}.safetensors.index.json', {'metadata': {'total_size': total}, 'weight_map': weight_map})


def write_json(path, obj):
    """Write pretty JSON (sorted keys off: HF files keep their own order)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')


def bytes_to_unicode():
    """GPT-2's byte -> printable unicode map used by ByteLevel pre-tokenizers."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def added_token(id_, content, special=True):
    """One `added_tokens` entry of tokenizer.json."""
    return {'id': id_, 'content': content, 'single_word': False, 'lstrip': False, 'rstrip': False,
            'normalized': not special, 'special': special}


def bpe_tokenizer_json(vocab, merges, specials, bos=None, merges_as_pairs=False):
    """A byte-level BPE tokenizer.json (GPT-2/Qwen2/Llama-3 style).

    vocab: dict token -> id (byte-level symbols, e.g. 'Ġ' for space); merges: list of 'a b';
    specials: list of special token strings already in vocab; bos: token the post-processor
    prepends when add_special_tokens is on (None: no template).
    """
    post = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': True}
    if bos is not None:
        post = {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': bos, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': bos, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': bos, 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {bos: {'id': bos, 'ids': [vocab[bos]], 'tokens': [bos]}},
        }
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [added_token(vocab[s], s) for s in specials],
        'normalizer': None,
        'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
        'post_processor': post,
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {
            'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
            'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
            'vocab': vocab,
            'merges': [m.split(' ') for m in merges] if merges_as_pairs else list(merges),
        },
    }


def wordlevel_tokenizer_json(vocab, unk, specials):
    """A WordLevel tokenizer.json with a Whitespace pre-tokenizer (words and punctuation runs)."""
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [added_token(vocab[s], s) for s in specials],
        'normalizer': None,
        'pre_tokenizer': {'type': 'Whitespace'},
        'post_processor': None,
        'decoder': None,
        'model': {'type': 'WordLevel', 'vocab': vocab, 'unk_token': unk},
    }


def bpe_encode(text, vocab, merges):
    """Reference byte-level BPE for ASCII text: GPT-2 pre-split, then lowest-rank merges first."""
    import re
    b2u = bytes_to_unicode()
    # GPT-2's split pattern restricted to ASCII (\p{L} -> [A-Za-z], \p{N} -> [0-9]).
    pat = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")
    ranks = {tuple(m.split(' ')): i for i, m in enumerate(merges)}
    ids = []
    for piece in pat.findall(text):
        word = [b2u[b] for b in piece.encode('utf-8')]
        while len(word) > 1:
            pairs = [(ranks.get((word[i], word[i + 1]), 1 << 30), i) for i in range(len(word) - 1)]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            a, b = word[i], word[i + 1]
            out, j = [], 0
            while j < len(word):
                if j < len(word) - 1 and word[j] == a and word[j + 1] == b:
                    out.append(a + b)
                    j += 2
                else:
                    out.append(word[j])
                    j += 1
            word = out
        ids.extend(vocab[w] for w in word)
    return ids
