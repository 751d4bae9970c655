// `prefstudio tiny --model_type llama|qwen2|whisper --output_dir DIR`: write a tiny model with
// random weights from a seed as a real HF folder, so training can be tried without a download.
import { existsSync, readdirSync } from 'node:fs';
import { TINY_CONFIGS } from '../../src/models/llama/tiny';
import { writeTinyLlama } from '../../src/models/llama/tiny-node';
import { tinyWhisperFiles } from '../../src/models/whisper/tiny';
import { writeFolder } from '../../src/models/io/file-source-node';
import { type CommandIo, CommandError, defineFlags, guard, helpText, parseFlags, stdio } from '../flags';

/** One line for `prefstudio --help`. */
export const summary = 'write a tiny random-weight model (llama, qwen2 or whisper) as an HF folder, for trying things out';

const flags = defineFlags({
  model_type: { type: 'enum', values: ['llama', 'qwen2', 'whisper'], required: true, help: 'which architecture' },
  output_dir: { type: 'string', required: true, metavar: 'DIR', help: 'the folder to write (must be empty or absent)' },
  seed: { type: 'number', int: true, default: 0, help: 'seed of the random weights' },
});

/** Run with the arguments after `tiny`; resolves to the exit code. */
export function run(argv: string[], io: CommandIo = stdio): Promise<number> {
  return guard('tiny', io, async () => {
    const { flags: f, help } = parseFlags(flags, argv, { config: false });
    if (help) { io.out(helpText('tiny', summary, flags, { config: false })); return 0; }
    const dir = f.output_dir!;
    if (existsSync(dir) && readdirSync(dir).length) throw new CommandError(`--output_dir: ${dir} is not empty`);
    if (f.model_type === 'whisper') await writeFolder(dir, tinyWhisperFiles({ seed: f.seed }));
    else await writeTinyLlama(dir, TINY_CONFIGS[f.model_type!], f.seed);
    io.out(`wrote a tiny ${f.model_type} model to ${dir}`);
    return 0;
  });
}
