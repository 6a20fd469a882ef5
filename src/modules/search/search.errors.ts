import { DomainError } from '../../shared/errors.ts';

export const searchErrors = {
  invalidCursor: () => new DomainError('invalid', 'SEARCH_INVALID_CURSOR', 'The cursor is malformed or was altered', 'querystring.cursor'),
};
