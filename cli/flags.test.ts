import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlagError, defineFlags, helpText, parseFlags } from './flags';

const schema = defineFlags({
  learning_rate: { type: 'number', help: 'peak learning rate', default: 5e-7 },
  seed: { type: 'number', help: 'random seed', int: true, min: 0, default: 42 },
  output_dir: { type: 'string', help: 'where to write', required: true },
  use_peft: { type: 'boolean', help: 'train a LoRA adapter' },
  bf16: { type: 'boolean', help: 'bfloat16', default: true },
  loss_type: { type: 'enum', help: 'DPO loss', values: ['sigmoid', 'ipo', 'hinge'], default: 'sigmoid' },
  lora_target_modules: { type: 'list', help: 'modules to adapt' },
  beta: { type: 'list', of: 'number', help: 'beta per epoch', default: [0.1] },
  max_steps: { type: 'number', help: 'stop after', int: true },
});

const parse = (argv: string[]) => parseFlags(schema, argv);
const err = (argv: string[]) => { try { parse(argv); } catch (e) { if (e instanceof FlagError) return e.message; throw e; } return 'no error'; };
const tmp = mkdtempSync(join(tmpdir(), 'flags-'));
const file = (name: string, text: string) => { const p = join(tmp, name); writeFileSync(p, text); return p; };

describe('parseFlags', () => {
  it('parses --key value and --key=value, with defaults for the rest', () => {
    const { flags } = parse(['--output_dir', 'out', '--learning_rate=1e-5']);
    expect(flags).toEqual({
      learning_rate: 1e-5, seed: 42, output_dir: 'out', use_peft: false, bf16: true,
      loss_type: 'sigmoid', lora_target_modules: undefined, beta: [0.1], max_steps: undefined,
    });
    // The parsed type follows the schema: these assignments type-check.
    const lr: number = flags.learning_rate;
    const loss: 'sigmoid' | 'ipo' | 'hinge' = flags.loss_type;
    const steps: number | undefined = flags.max_steps;
    expect([lr, loss, steps]).toEqual([1e-5, 'sigmoid', undefined]);
  });

  it('treats dashes and underscores alike', () => {
    expect(parse(['--output-dir', 'o', '--learning-rate', '2']).flags).toMatchObject({ output_dir: 'o', learning_rate: 2 });
  });

  it('parses booleans as --flag, --no-flag and --flag false', () => {
    expect(parse(['--output_dir', 'o', '--use_peft']).flags.use_peft).toBe(true);
    expect(parse(['--output_dir', 'o', '--no-bf16']).flags.bf16).toBe(false);
    expect(parse(['--output_dir', 'o', '--no_bf16']).flags.bf16).toBe(false);
    expect(parse(['--output_dir', 'o', '--bf16', 'false']).flags.bf16).toBe(false);
    expect(parse(['--output_dir', 'o', '--use_peft=yes']).flags.use_peft).toBe(true);
    expect(err(['--output_dir', 'o', '--use_peft=maybe'])).toBe("--use_peft: expected true or false, got 'maybe'");
  });

  it('parses lists comma-separated, space-separated or repeated', () => {
    const a = parse(['--output_dir', 'o', '--lora_target_modules', 'q_proj,v_proj']).flags.lora_target_modules;
    const b = parse(['--lora_target_modules', 'q_proj', 'v_proj', '--output_dir', 'o']).flags.lora_target_modules;
    const c = parse(['--output_dir', 'o', '--lora_target_modules', 'q_proj', '--lora_target_modules=v_proj']).flags.lora_target_modules;
    expect([a, b, c]).toEqual([['q_proj', 'v_proj'], ['q_proj', 'v_proj'], ['q_proj', 'v_proj']]);
    expect(parse(['--output_dir', 'o', '--beta', '0.1,0.2']).flags.beta).toEqual([0.1, 0.2]);
    expect(err(['--output_dir', 'o', '--beta', '0.1,x'])).toBe("--beta: expected a number, got 'x'");
  });

  it('gives one clear line for each kind of bad input', () => {
    expect(err(['--output_dir', 'o', '--learning_rate', 'abc'])).toBe("--learning_rate: expected a number, got 'abc'");
    expect(err(['--output_dir', 'o', '--learning_rate', '0x10'])).toBe("--learning_rate: expected a number, got '0x10'");
    expect(err(['--output_dir', 'o', '--seed', '1.5'])).toBe("--seed: expected an integer, got '1.5'");
    expect(err(['--output_dir', 'o', '--seed', '-1'])).toBe("--seed: expected a number >= 0, got '-1'");
    expect(err(['--output_dir', 'o', '--seed'])).toBe('--seed: expected an integer, got nothing');
    expect(err(['--output_dir', 'o', '--loss_type', 'dpo'])).toBe("--loss_type: expected one of sigmoid, ipo, hinge, got 'dpo'");
    expect(err(['--output_dir', 'o', '--learning_rat', '1'])).toBe('unknown flag --learning_rat (did you mean --learning_rate?)');
    expect(err(['--output_dir', 'o', '--zzz'])).toBe('unknown flag --zzz');
    expect(err([])).toBe('--output_dir: required');
    expect(err(['--output_dir', 'o', 'stray'])).toBe("unexpected argument 'stray' (this command takes only flags)");
  });

  it('reports --help without requiring the other flags', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h', '--seed', '3']).help).toBe(true);
  });

  it('takes positionals and checks their count; -- ends the flags', () => {
    const opts = { positionals: [{ name: 'REF', help: 'r' }, { name: 'HYP', help: 'h', optional: true }] };
    const s = defineFlags({ json: { type: 'boolean', help: 'j' } });
    expect(parseFlags(s, ['a.txt', '--json', 'b.txt'], opts)).toMatchObject({ positionals: ['a.txt', 'b.txt'], flags: { json: true } });
    expect(parseFlags(s, ['--', '--odd-name'], opts).positionals).toEqual(['--odd-name']);
    expect(() => parseFlags(s, [], opts)).toThrow('missing argument REF');
    expect(() => parseFlags(s, ['a', 'b', 'c'], opts)).toThrow("unexpected argument 'c'");
  });
});

describe('--config', () => {
  it('loads TOML, flattening one level of tables, with the command line winning', () => {
    const p = file('run.toml', 'output_dir = "from-file"\nseed = 7\n\n[training]\nlearning_rate = 1e-4\nuse_peft = true\nlora_target_modules = ["q_proj", "k_proj"]\n');
    expect(parse(['--config', p]).flags).toMatchObject({ output_dir: 'from-file', seed: 7, learning_rate: 1e-4, use_peft: true, lora_target_modules: ['q_proj', 'k_proj'] });
    expect(parse(['--config', p, '--seed', '9', '--no-use_peft']).flags).toMatchObject({ seed: 9, use_peft: false, output_dir: 'from-file' });
  });

  it('loads JSON with the same keys', () => {
    const p = file('run.json', JSON.stringify({ output_dir: 'j', loss_type: 'ipo', beta: [0.1, 0.3] }, null, 2));
    expect(parse(['--config', p]).flags).toMatchObject({ output_dir: 'j', loss_type: 'ipo', beta: [0.1, 0.3] });
  });

  it('names the file and line of a bad setting', () => {
    const bad = file('bad.toml', 'output_dir = "o"\n# a comment\nseed = 1.5\n');
    expect(err(['--config', bad])).toBe(`${bad}:3: seed: expected an integer, got 1.5`);
    const unknown = file('unknown.json', '{\n  "output_dir": "o",\n  "learning_rat": 1\n}\n');
    expect(err(['--config', unknown])).toBe(`${unknown}:3: learning_rat: unknown setting (did you mean --learning_rate?)`);
    const wrongType = file('type.json', '{"output_dir": 3}');
    expect(err(['--config', wrongType])).toBe(`${wrongType}:1: output_dir: expected a string, got 3`);
    const enumBad = file('enum.toml', 'output_dir = "o"\nloss_type = "dpo"\n');
    expect(err(['--config', enumBad])).toBe(`${enumBad}:2: loss_type: expected one of sigmoid, ipo, hinge, got "dpo"`);
  });

  it('reports a missing or unparsable file in one line', () => {
    expect(err(['--config', join(tmp, 'nope.toml')])).toBe(`--config: cannot read ${join(tmp, 'nope.toml')}: no such file`);
    const broken = file('broken.toml', 'seed = = 3\n');
    expect(err(['--config', broken])).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid TOML: `));
    expect(err(['--config', broken]).includes('\n')).toBe(false);
    expect(err(['--config'])).toBe('--config: expected a file path, got nothing');
    expect(err(['--config', file('arr.json', '[1]')])).toMatch(/expected a table of settings/);
  });

  it('says where a required flag can come from', () => {
    const p = file('partial.toml', 'seed = 1\n');
    expect(err(['--config', p])).toBe(`--output_dir: required (on the command line or in ${p})`);
  });
});

describe('helpText', () => {
  it('lists every flag with its type, default and the built-ins', () => {
    const h = helpText('train', 'Train a model.', schema, { positionals: [{ name: 'DATA', help: 'a dataset' }] });
    expect(h.split('\n')[0]).toBe('usage: prefstudio train [flags] DATA');
    expect(h).toContain('  --learning_rate NUM         peak learning rate (default: 5e-7)');
    expect(h).toContain('  --seed INT                  random seed (default: 42)');
    expect(h).toContain('--output_dir STR');
    expect(h).toContain('(required)');
    expect(h).toContain('--loss_type {sigmoid,ipo,hinge}');
    expect(h).toContain('--no-use-peft to turn off');
    expect(h).toContain('--config FILE');
    expect(h).toContain('  DATA');
    for (const key of Object.keys(schema)) expect(h).toContain(`--${key}`);
  });
});
