export { TickcastError, isTickcastError, describeError } from './tickcast-error.ts';
export { ErrorCodes, recordError, type ErrorCode } from './catalogue.ts';
export { FailureStreak } from './failure-streak.ts';
export { seriesNotFound } from './not-found.ts';
