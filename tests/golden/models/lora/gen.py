"""Golden values for LoRA: PEFT-format adapters on the tiny Whisper, and the logits of the model
with each adapter merged (plain torch: W + s * B @ A), through the whisper generator's reference
forward.

    /usr/bin/python3 tests/golden/models/whisper/gen.py   # first: the base model
    /usr/bin/python3 tests/golden/models/lora/gen.py

Writes tests/golden/models/lora/<case>/{adapter_config.json, adapter_model.safetensors} and
tests/golden/models/lora/expected.safetensors (logits_<case>).
"""
import json
import math
import re
import struct
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/golden/models
sys.path.insert(0, str(HERE.parent / 'whisper'))
from common import write_json, write_safetensors  # noqa: E402
import gen as whisper  # noqa: E402

_DT = {'F32': np.float32, 'I32': np.int32, 'I64': np.int64}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, end = e['data_offsets']
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + end], dtype=_DT[e['dtype']]).reshape(e['shape'])
    return out


def linear_modules(weights):
    """Every Linear of the HF model (rank-2 `.weight` outside embeddings and positions)."""
    return [k[: -len('.weight')] for k, v in weights.items()
            if k.endswith('.weight') and v.ndim == 2 and 'embed' not in k]


def matches(target, name):
    """PEFT's check_target_module_exists: a string is a full-match regex, a list matches name ends."""
    if isinstance(target, str):
        return re.fullmatch(target, name) is not None
    return any(name == t or name.endswith('.' + t) for t in target)


CASES = {
    # A list of short names (matched by name end), dropout set (inactive at eval), plain alpha/r.
    'qv_fc1': dict(r=4, lora_alpha=8, lora_dropout=0.05, target_modules=['q_proj', 'v_proj', 'fc1'], use_rslora=False),
    # A regex string (full match) and rslora: s = alpha / sqrt(r).
    'regex_rslora': dict(r=2, lora_alpha=3, lora_dropout=0.0,
                         target_modules=r'model\.decoder\.layers\.\d+\.(self_attn|encoder_attn)\.(k_proj|out_proj)', use_rslora=True),
}


def adapter_config(case):
    c = CASES[case]
    return {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': 'tests/golden/models/whisper/tiny',
        'bias': 'none', 'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True,
        'layer_replication': None, 'layers_pattern': None, 'layers_to_transform': None, 'loftq_config': {},
        'lora_alpha': c['lora_alpha'], 'lora_dropout': c['lora_dropout'], 'modules_to_save': None,
        'peft_type': 'LORA', 'r': c['r'], 'rank_pattern': {}, 'revision': None,
        'target_modules': c['target_modules'], 'task_type': None, 'use_dora': False, 'use_rslora': c['use_rslora'],
    }


def main():
    base = {k: torch.from_numpy(v.copy()) for k, v in read_safetensors(HERE.parent / 'whisper' / 'tiny' / 'model.safetensors').items()}
    cfg = json.loads((HERE.parent / 'whisper' / 'tiny' / 'config.json').read_text())
    golden = read_safetensors(HERE.parent / 'whisper' / 'golden.safetensors')
    feats = torch.from_numpy(golden['input_features'].copy()).double()
    ids = torch.from_numpy(golden['decoder_input_ids'].astype(np.int64))
    mask = torch.from_numpy(golden['decoder_attention_mask'].astype(np.int64))
    g = torch.Generator().manual_seed(11)
    expected = {}
    for case, c in CASES.items():
        mods = [m for m in linear_modules(base) if matches(c['target_modules'], m)]
        assert mods, case
        r = c['r']
        scale = c['lora_alpha'] / (math.sqrt(r) if c['use_rslora'] else r)
        tensors = {}
        merged = {k: v.double() for k, v in base.items()}
        for m in mods:
            out_f, in_f = base[f'{m}.weight'].shape
            bound = 1 / math.sqrt(in_f)
            A = ((torch.rand(r, in_f, generator=g, dtype=torch.float64) * 2 - 1) * bound).float()
            # A trained B is non-zero; PEFT's init (zeros) would make the test vacuous.
            B = (torch.randn(out_f, r, generator=g, dtype=torch.float64) * 0.3).float()
            tensors[f'base_model.model.{m}.lora_A.weight'] = A.numpy()
            tensors[f'base_model.model.{m}.lora_B.weight'] = B.numpy()
            merged[f'{m}.weight'] = merged[f'{m}.weight'] + scale * (B.double() @ A.double())
        folder = HERE / case
        write_json(folder / 'adapter_config.json', adapter_config(case))
        write_safetensors(folder / 'adapter_model.safetensors', tensors)
        enc = whisper.encode(merged, cfg, feats)
        expected[f'logits_{case}'] = whisper.decode(merged, cfg, enc, ids, mask).float().numpy()
        print(case, len(mods), 'modules, scale', scale)
    write_safetensors(HERE / 'expected.safetensors', expected)


if __name__ == '__main__':
    main()
