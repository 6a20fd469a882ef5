import { DomainError } from '../../shared/errors.ts';

export const searchErrors = {
  /** A later page asked for while the full query is over its time budget: the simpler one has no later pages. */
  busy: () => new DomainError('unavailable', 'SEARCH_BUSY', 'Search is busy; try this page again shortly'),
  invalidCursor: () => new DomainError('invalid', 'SEARCH_INVALID_CURSOR', 'The cursor is malformed or was altered', 'querystring.cursor'),
};
