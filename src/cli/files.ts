import { readFileSync } from 'node:fs';

/** Why a file could not be used, in words: the system's code (ENOENT…) says little to most people. */
export function describeFileError(
  file: string,
  error: unknown,
  action: 'read' | 'write' | 'use' = 'read',
): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return action === 'read'
        ? `cannot read ${file}: there is no such file; check the path`
        : `cannot ${action} ${file}: there is no such file or folder; check the path`;
    case 'EISDIR':
      return `cannot ${action} ${file}: it is a folder; give a file`;
    case 'EACCES':
    case 'EPERM':
      return `cannot ${action} ${file}: permission denied; check who may ${action === 'use' ? 'read or write' : action} it`;
    case 'ENOTDIR':
      return `cannot ${action} ${file}: part of the path is a file, not a folder`;
    case 'EEXIST':
      return `${file} exists already; give a new name`;
    default:
      return `cannot ${action} ${file}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Reads an input file (`-` = standard input) for `stemtrack COMMAND`; on failure says which
 * file and why on stderr and returns undefined, so the command can exit 1.
 */
export function readInputFile(command: string, file: string): string | undefined {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    console.error(`stemtrack ${command}: ${describeFileError(file, error)}`);
    return undefined;
  }
}
