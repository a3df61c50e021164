export { TickcastError, isTickcastError, describeError } from './tickcast-error.ts';
export { ErrorCodes, recordError, type ErrorCode } from './catalogue.ts';
