"""Golden values for src/train (the offline preference trainer): the first training step's loss,
every logged metric and grad_norm for DPO (each TRL loss type), ORPO, ADPO and SFT, on a tiny Llama
and a tiny Whisper, with a PEFT LoRA adapter whose A and B are both non-zero (and full fine-tuning).

    /usr/bin/python3 tests/golden/train/gen.py

Independent of the TypeScript code: the model forwards are the plain-PyTorch ones of
tests/golden/models/{llama,whisper}/gen.py, the losses and metrics the float64 TRL formulas of
tests/golden/losses/gen.py (which also give dL/d(token log-probs)); LoRA is merged as
W + s * B @ A with A, B leaf tensors, so autograd carries the loss gradient to A and B; log-mel
features come from the NumPy front end of tests/golden/features/gen.py. Tokenization follows TRL:
LM prompt = BOS + tokens, completion = tokens + EOS; Whisper prompt = [<|startofprev|> + ' ' + bias]
+ <|startoftranscript|> <|en|> <|transcribe|> <|notimestamps|>, completion = tokens + <|endoftext|>.

Writes tests/golden/train/fixtures/: {llama,whisper}-adapter/ (PEFT folders), audio-<i>.f32 and
golden.json. Everything runs in float64 from the stored float32 (or float16) values.
"""
import importlib.util
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent
OUT = HERE / 'fixtures'
sys.path.insert(0, str(GOLDEN / 'models'))
from common import bpe_encode, write_json, write_safetensors  # noqa: E402


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


llama = load('golden_llama', GOLDEN / 'models' / 'llama' / 'gen.py')
whisper = load('golden_whisper', GOLDEN / 'models' / 'whisper' / 'gen.py')
losses = load('golden_losses', GOLDEN / 'losses' / 'gen.py')
features = load('golden_features', GOLDEN / 'features' / 'gen.py')
torch.set_default_dtype(torch.float64)

LLAMA_DIR = GOLDEN / 'models' / 'llama' / 'fixtures' / 'llama-gqa-tied-f16'
WHISPER_DIR = GOLDEN / 'models' / 'whisper' / 'tiny'
_DT = {'F32': np.float32, 'F16': np.float16, 'I32': np.int32, 'I64': np.int64}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, end = e['data_offsets']
        a = np.frombuffer(raw[8 + n + b:8 + n + end], dtype=_DT[e['dtype']]).reshape(e['shape'])
        out[name] = torch.from_numpy(a.astype(np.float64))
    return out


# ----------------------------------------------------------------------------- data

LM_PAIRS = [
    {'prompt': 'is the cat on the mat', 'chosen': ' yes, the cat is on the mat.', 'rejected': ' no!'},
    {'prompt': 'a dog and', 'chosen': ' a cat', 'rejected': ' the dog sat on the mat, sitting.'},
    {'prompt': 'count', 'chosen': ' 0 1 10 11', 'rejected': ' 1 0'},
]
LM_ADPO = [
    {'response': ' the cat sat.', 'chosen': 'where is the cat', 'rejected': 'a dog ran'},
    {'response': ' on the mat', 'chosen': 'is the cat on', 'rejected': 'count'},
    {'response': ' 10 11', 'chosen': 'count 0 1', 'rejected': 'the cat is'},
]
WHISPER_PAIRS = [
    {'chosen': 'the cat sat', 'rejected': 'the hat sat', 'audio': 0},
    {'prompt': 'cats', 'chosen': 'is it on', 'rejected': 'it is', 'audio': 1},
    {'chosen': 'what', 'rejected': 'water 10', 'audio': 2},
]
WHISPER_ADPO = [
    {'response': 'the cat', 'chosen': 'cat', 'rejected': 'dog', 'audio': 0, 'rejected_audio': 1},
    {'response': 'is it', 'chosen': 'it is', 'rejected': '', 'audio': 1, 'rejected_audio': 2},
    {'response': 'on the mat', 'chosen': '', 'rejected': 'hat', 'audio': 2, 'rejected_audio': 0},
]


def audio(i, n=16000):
    """1 s at 16 kHz: two tones and xorshift noise, different per index."""
    t = np.arange(n) / 16000
    noise = features.xorshift_noise(n, 1000 + i)
    y = 0.3 * np.sin(2 * np.pi * (220 + 110 * i) * t) + 0.2 * np.sin(2 * np.pi * (1800 - 300 * i) * t + i) + 0.1 * noise
    return y.astype(np.float32)


# ----------------------------------------------------------------------------- models

class Lm:
    def __init__(self):
        self.cfg = json.loads((LLAMA_DIR / 'config.json').read_text())
        self.W = read_safetensors(LLAMA_DIR / 'model.safetensors')
        self.vocab, self.merges = llama.VOCAB, llama.MERGES
        self.bos, self.eos = self.vocab['<s>'], self.vocab['</s>']
        self.kind = 'lm'

    def linears(self):
        return [k[:-len('.weight')] for k, v in self.W.items() if k.endswith('.weight') and v.ndim == 2 and 'embed' not in k]

    def enc(self, text):
        return bpe_encode(text, self.vocab, self.merges)

    def prompt(self, text):
        return [self.bos] + self.enc(text)

    def completion(self, text):
        return self.enc(text) + [self.eos]

    def row_logits(self, W, row, _audio):
        ids = torch.tensor([row[:-1]])
        L = ids.shape[1]
        return llama.forward(self.cfg, W, ids, torch.ones(1, L, dtype=torch.int64), torch.arange(L)[None])[0]


class Whisper:
    def __init__(self):
        self.cfg = json.loads((WHISPER_DIR / 'config.json').read_text())
        self.W = read_safetensors(WHISPER_DIR / 'model.safetensors')
        self.vocab, self.merges = whisper.vocab(), whisper.MERGES
        v = self.vocab
        self.prefix = [v['<|startoftranscript|>'], v['<|en|>'], v['<|transcribe|>'], v['<|notimestamps|>']]
        self.sop, self.eot = v['<|startofprev|>'], v['<|endoftext|>']
        self.kind = 'whisper'
        self.enc_cache = {}

    def linears(self):
        return [k[:-len('.weight')] for k, v in self.W.items()
                if k.endswith('.weight') and v.ndim == 2 and 'embed' not in k]

    def enc(self, text):
        return bpe_encode(text, self.vocab, self.merges)

    def prompt(self, bias):
        bias = (bias or '').strip()
        return ([self.sop] + self.enc(' ' + bias) if bias else []) + self.prefix

    def completion(self, text):
        return self.enc(text) + [self.eot]

    def row_logits(self, W, row, feats):
        enc = whisper.encode(W, self.cfg, feats[None])
        ids = torch.tensor([row[:-1]])
        return whisper.decode(W, self.cfg, enc, ids, torch.ones_like(ids))[0]


def features_of(i):
    return torch.from_numpy(features.log_mel_numpy(audio(i), 80, 16000).astype(np.float32).astype(np.float64))


# ----------------------------------------------------------------------------- adapters

ADAPTERS = {
    'lm': dict(r=4, lora_alpha=8, use_rslora=False, target_modules=['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']),
    'whisper': dict(r=4, lora_alpha=6, use_rslora=True, target_modules=['q_proj', 'v_proj', 'fc1']),
}


def matches(targets, name):
    return any(name == t or name.endswith('.' + t) for t in targets)


def make_adapter(model, seed, folder, base_name):
    a = ADAPTERS[model.kind]
    g = torch.Generator().manual_seed(seed)
    r = a['r']
    scale = a['lora_alpha'] / (math.sqrt(r) if a['use_rslora'] else r)
    mods = [m for m in model.linears() if matches(a['target_modules'], m)]
    tensors, params = {}, {}
    for m in mods:
        out_f, in_f = model.W[f'{m}.weight'].shape
        bound = 1 / math.sqrt(in_f)
        A = ((torch.rand(r, in_f, generator=g) * 2 - 1) * bound).float()
        B = (torch.randn(out_f, r, generator=g) * 0.2).float()  # non-zero: a trained adapter
        tensors[f'base_model.model.{m}.lora_A.weight'] = A.numpy()
        tensors[f'base_model.model.{m}.lora_B.weight'] = B.numpy()
        params[m] = (A.double().requires_grad_(True), B.double().requires_grad_(True))
    write_json(folder / 'adapter_config.json', {
        'alpha_pattern': {}, 'auto_mapping': None, 'base_model_name_or_path': base_name, 'bias': 'none',
        'fan_in_fan_out': False, 'inference_mode': True, 'init_lora_weights': True, 'layer_replication': None,
        'layers_pattern': None, 'layers_to_transform': None, 'loftq_config': {}, 'lora_alpha': a['lora_alpha'],
        'lora_dropout': 0.0, 'modules_to_save': None, 'peft_type': 'LORA', 'r': r, 'rank_pattern': {}, 'revision': None,
        'target_modules': a['target_modules'], 'task_type': 'CAUSAL_LM' if model.kind == 'lm' else None,
        'use_dora': False, 'use_rslora': a['use_rslora'],
    })
    write_safetensors(folder / 'adapter_model.safetensors', tensors)
    return params, scale


def merged(W, params, scale):
    out = dict(W)
    for m, (A, B) in params.items():
        out[f'{m}.weight'] = W[f'{m}.weight'] + scale * (B @ A)
    return out


# ----------------------------------------------------------------------------- rows and batches

def tokenize(model, trainer, examples):
    """Rows as the trainer builds them: pairs share the prompt; ADPO shares the response."""
    out = []
    for ex in examples:
        if trainer == 'adpo':
            resp = model.completion(ex['response'])
            out.append({'chosen': (model.prompt(ex['chosen']), resp), 'rejected': (model.prompt(ex['rejected']), resp)})
        else:
            p = model.prompt(ex.get('prompt', ''))
            out.append({'chosen': (p, model.completion(ex['chosen'])), 'rejected': (p, model.completion(ex['rejected']))})
    return out


def side(model, W, rows, feats):
    """Per-token log-probs, vocab-mean logits, completion / attention masks, accuracy, entropy [B, T]."""
    T = max(len(p) + len(c) - 1 for p, c in rows)
    B = len(rows)
    z = lambda: torch.zeros(B, T)
    logp, mean_logits, cmask, amask, correct, entropy = [], z(), z(), z(), z(), z()
    for b, ((p, c), f) in enumerate(zip(rows, feats)):
        full = p + c
        logits = model.row_logits(W, full, f)  # [n-1, V]
        lsm = torch.log_softmax(logits, -1)
        labels = torch.tensor(full[1:])
        lp = lsm.gather(-1, labels[:, None])[:, 0]
        n = len(full) - 1
        logp.append(torch.cat([lp, torch.zeros(T - n)]))
        with torch.no_grad():
            mean_logits[b, :n] = logits.mean(-1)
            amask[b, :n] = 1
            cmask[b, len(p) - 1:n] = 1
            correct[b, :n] = (logits.argmax(-1) == labels).double()
            entropy[b, :n] = -(lsm.exp() * lsm).sum(-1)
    return torch.stack(logp), mean_logits, cmask, amask, correct, entropy


def step_golden(model, trainer, examples, cfg, lora, feats_of):
    """Loss, metrics and grad_norm of the first step on one batch of every example."""
    tok = tokenize(model, trainer, examples)
    if lora:
        params, scale = lora
        trainable = [t for ab in params.values() for t in ab]
        W_pol = merged(model.W, params, scale)
    else:
        frozen_re = ('model.encoder.conv1.', 'model.encoder.conv2.', 'model.encoder.embed_positions.')
        W_pol = {k: (v.clone().requires_grad_(True) if not k.startswith(frozen_re) else v) for k, v in model.W.items()}
        trainable = [v for v in W_pol.values() if v.requires_grad]
    cf = [feats_of(ex, 'chosen') for ex in examples]
    rf = [feats_of(ex, 'rejected') for ex in examples]
    pc, lc, cm, am, acc, ent = side(model, W_pol, [t['chosen'] for t in tok], cf)
    metrics = {}
    if trainer == 'sft':
        res = losses.sft_reference({'chosen': pc.detach(), 'chosen_mask': cm})
        grads_out = [(pc, torch.tensor(res['grad_chosen']))]
        n = cm.sum()
        metrics = {'mean_token_accuracy': float((acc * cm).sum() / n), 'entropy': float((ent * cm).sum() / n),
                   'num_tokens': sum(len(p) + len(c) for p, c in (t['chosen'] for t in tok))}
    else:
        pr, lr, rm, _, _, _ = side(model, W_pol, [t['rejected'] for t in tok], rf)
        with torch.no_grad():
            rc = side(model, model.W, [t['chosen'] for t in tok], cf)[0]
            rr = side(model, model.W, [t['rejected'] for t in tok], rf)[0]
        b = {'chosen': pc.detach(), 'rejected': pr.detach(), 'ref_chosen': rc, 'ref_rejected': rr,
             'chosen_mask': cm, 'rejected_mask': rm, 'chosen_logits': lc, 'rejected_logits': lr}
        if trainer == 'orpo':
            ocfg = {'beta': cfg['beta']}
            if model.kind == 'lm':  # TRL: decoder-only NLL over prompt + completion
                b['chosen_nll_mask'] = am
                ocfg['nll_mask'] = 'chosen_nll_mask'
            res = losses.orpo_reference(b, ocfg)
            # Logged as the completion-token mean (see src/train/objective.ts), not TRL ORPO's padded mean.
            res['metrics']['logits/chosen'] = float((lc * cm).sum() / cm.sum())
            res['metrics']['logits/rejected'] = float((lr * rm).sum() / rm.sum())
        else:
            dcfg = {'beta': cfg['beta'], 'loss_type': cfg['loss_type']}
            for k in ('loss_weights', 'label_smoothing'):
                if k in cfg:
                    dcfg[k] = cfg[k]
            res = dpo_tie(b, dcfg) if not lora else losses.dpo_reference(b, dcfg)
        metrics = res['metrics']
        grads_out = [(pc, torch.tensor(res['grad_chosen'])), (pr, torch.tensor(res['grad_rejected']))]
    outs, gos = zip(*grads_out)
    grads = torch.autograd.grad(outs, trainable, grad_outputs=gos, allow_unused=True)
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads if g is not None))
    return {'loss': res['loss'], 'metrics': metrics, 'grad_norm': norm}


def dpo_tie(b, cfg):
    """Sigmoid DPO when the policy is the reference (full fine-tuning, first step): h = 0 for every pair.
    (losses.dpo_reference refuses reward ties, which make `rewards/accuracies` fragile.)"""
    assert cfg['loss_type'] == ['sigmoid']
    beta = cfg['beta']
    pc = b['chosen'].clone().requires_grad_(True)
    pr = b['rejected'].clone().requires_grad_(True)
    cm, rm = b['chosen_mask'], b['rejected_mask']
    c = (pc * cm).sum(-1) - (b['ref_chosen'] * cm).sum(-1)
    r = (pr * rm).sum(-1) - (b['ref_rejected'] * rm).sum(-1)
    loss = -torch.nn.functional.logsigmoid(beta * (c - r)).mean()
    gc, gr = torch.autograd.grad(loss, [pc, pr])
    m = {'rewards/chosen': beta * c.mean(), 'rewards/rejected': beta * r.mean(), 'rewards/accuracies': (c > r).double().mean(),
         'rewards/margins': beta * (c - r).mean(), 'logps/chosen': (pc * cm).sum(-1).mean(), 'logps/rejected': (pr * rm).sum(-1).mean(),
         'logits/chosen': (b['chosen_logits'] * cm).sum() / cm.sum(), 'logits/rejected': (b['rejected_logits'] * rm).sum() / rm.sum()}
    return {'loss': loss.item(), 'metrics': {k: float(v) for k, v in m.items()}, 'grad_chosen': gc.tolist(), 'grad_rejected': gr.tolist()}


def ref_logps(model, examples, trainer, feats_of):
    tok = tokenize(model, trainer, examples)
    out = {}
    with torch.no_grad():
        for s in ('chosen', 'rejected'):
            lp, _, m, _, _, _ = side(model, model.W, [t[s] for t in tok], [feats_of(ex, s) for ex in examples])
            out[s] = (lp * m).sum(-1).tolist()
    return out


# ----------------------------------------------------------------------------- cases

DPO_TYPES = {
    'sigmoid': {}, 'hinge': {}, 'ipo': {}, 'exo_pair': {'label_smoothing': 1e-3}, 'nca_pair': {},
    'robust': {'label_smoothing': 0.1}, 'bco_pair': {}, 'sppo_hard': {}, 'aot': {'label_smoothing': 0.05},
    'aot_unpaired': {'label_smoothing': 0.05}, 'aot_pair': {}, 'apo_zero': {}, 'apo_down': {}, 'discopop': {},
    'sft': {}, 'sigmoid_norm': {},
}


def cases():
    out = [{'name': f'dpo/{t}', 'trainer': 'dpo', 'config': {'beta': 0.1, 'loss_type': [t], **extra}} for t, extra in DPO_TYPES.items()]
    out += [
        {'name': 'dpo/mix', 'trainer': 'dpo', 'config': {'beta': 0.5, 'loss_type': ['sigmoid', 'ipo', 'sft'], 'loss_weights': [1.0, 0.3, 0.5]}},
        {'name': 'orpo', 'trainer': 'orpo', 'config': {'beta': 0.25}},
        {'name': 'adpo', 'trainer': 'adpo', 'config': {'beta': 0.1, 'loss_type': ['sigmoid']}},
        {'name': 'sft', 'trainer': 'sft', 'config': {}},
        {'name': 'full/dpo', 'trainer': 'dpo', 'full': True, 'config': {'beta': 0.1, 'loss_type': ['sigmoid']}},
        {'name': 'full/orpo', 'trainer': 'orpo', 'full': True, 'config': {'beta': 0.1}},
    ]
    return out


def run(model, pairs, adpo, lora):
    cache = {}

    def feats_of(ex, s):
        if model.kind == 'lm':
            return None
        i = ex['rejected_audio'] if s == 'rejected' and 'rejected_audio' in ex else ex['audio']
        if i not in cache:
            cache[i] = features_of(i)
        return cache[i]
    res = {'cases': [], 'examples': pairs, 'adpo_examples': adpo}
    res['tokens'] = tokenize(model, 'dpo', pairs)
    res['adpo_tokens'] = tokenize(model, 'adpo', adpo)
    res['ref_logps'] = ref_logps(model, pairs, 'dpo', feats_of)
    for c in cases():
        exs = adpo if c['trainer'] == 'adpo' else pairs
        exp = step_golden(model, c['trainer'], exs, c['config'], None if c.get('full') else lora, feats_of)
        res['cases'].append({**c, 'expected': exp})
        print(model.kind, c['name'], 'loss %.6f grad_norm %.6f' % (exp['loss'], exp['grad_norm']))
    return res


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (OUT / f'audio-{i}.f32').write_bytes(audio(i).astype('<f4').tobytes())
    lm, wh = Lm(), Whisper()
    lm_lora = make_adapter(lm, 21, OUT / 'llama-adapter', 'tests/golden/models/llama/fixtures/llama-gqa-tied-f16')
    wh_lora = make_adapter(wh, 22, OUT / 'whisper-adapter', 'tests/golden/models/whisper/tiny')
    golden = {
        'about': 'Generated by tests/golden/train/gen.py (float64 PyTorch %s).' % torch.__version__,
        'llama': run(lm, LM_PAIRS, LM_ADPO, lm_lora),
        'whisper': run(wh, WHISPER_PAIRS, WHISPER_ADPO, wh_lora),
    }
    (OUT / 'golden.json').write_text(json.dumps(golden, indent=1) + '\n')


if __name__ == '__main__':
    main()
