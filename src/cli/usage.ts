/** A mistake in how a command was called: shown with the command's help, exit code 2. */
export class UsageError extends Error {}
