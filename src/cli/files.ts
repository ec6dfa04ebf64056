import { readFileSync } from 'node:fs';

/**
 * Reads an input file (`-` = standard input) for `stemtrack COMMAND`; on failure says which
 * file and why on stderr and returns undefined, so the command can exit 1.
 */
export function readInputFile(command: string, file: string): string | undefined {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    console.error(
      `stemtrack ${command}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
    return undefined;
  }
}
