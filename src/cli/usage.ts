import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in how a command was called: shown with the command's help, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `parseArgs` whose mistakes read as plain words: Node's own messages explain how to pass a
 * positional argument that starts with '-', which is rarely what a person meant.
 */
export function parseOptions<O extends Options, P extends boolean>(
  args: string[],
  options: O,
  allowPositionals: P,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(optionProblem(error, options));
  }
}

function optionProblem(error: unknown, options: Options): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = Object.keys(options).map((o) => `--${o}`);
    return known.length > 0
      ? `there is no option ${quoted}; the options are ${known.join(', ')}`
      : `this command takes no options, not ${quoted}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /--([\w-]+)/.exec(message)?.[1];
    if (name && options[name]?.type === 'boolean')
      return `--${name} is a switch and takes no value`;
    return `--${name ?? '?'} needs a value after it, as in --${name ?? '?'} VALUE`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected '${quoted}': this command takes only the options below`;
  return message;
}
