#!/usr/bin/env node
// `prefstudio <command> [flags]`: one entry point; each command lives in cli/commands/<name>.ts
// and exports `run(argv): Promise<number>` (the exit code) and a one-line `summary`.
import { commands } from './commands';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? commands[name] : undefined;
  if (!cmd) {
    const list = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n');
    const out = `usage: prefstudio <command> [flags]\n\ncommands:\n${list}\n\nprefstudio <command> --help lists a command's flags.`;
    if (name && name !== '--help' && name !== '-h') { console.error(`prefstudio: unknown command '${name}'\n\n${out}`); return 2; }
    console.log(out);
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => { console.error(`prefstudio: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
