// The command registry: one line per command.
import * as wer from './wer';
import * as simulate from './simulate';
import * as train from './train';
import * as tiny from './tiny';
export interface Command {
  /** One line for `prefstudio --help`. */
  summary: string;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  wer,
  simulate,
  train,
  tiny,
};
