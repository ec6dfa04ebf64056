/** The ways a request can fail in the domain; the HTTP layer maps each to one status code. */
export type ErrorCode =
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  | 'unauthenticated'
  | 'gone'
  | 'rate-limited'
  /** The server is busy or stopping: the same request may succeed a little later. */
  | 'unavailable';

export interface FieldProblem {
  /** Dotted path of the offending field in the request body, e.g. `answers.P3`. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldProblem[];

  constructor(code: ErrorCode, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.fields = fields;
  }
}

export const invalid = (message: string, fields: FieldProblem[] = []) =>
  new DomainError('invalid', message, fields);
export const notFound = (what: string) => new DomainError('not-found', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do this') =>
  new DomainError('forbidden', message);
export const conflict = (message: string, field?: string) =>
  new DomainError('conflict', message, field ? [{ field, message }] : []);
export const gone = (message: string) => new DomainError('gone', message);

/** A refusal to be tried again later: the HTTP layer sends the wait as Retry-After. */
export class RetryLaterError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('rate-limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
