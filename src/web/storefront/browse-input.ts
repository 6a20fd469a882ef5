import type { FastifyRequest } from 'fastify';
import type { CategoryNode, ProductSort } from '../../modules/catalog/index.ts';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { parseMajorUnits, toMajorUnits } from '../format.ts';

/** One problem with what was asked, for the error summary: `field` is the form control's id. */
export type FieldError = Readonly<{ field: string; message: string }>;

export const SORTS: ReadonlyArray<readonly [ProductSort, string]> = [
  ['newest', 'Newest first'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
];

/** The first value of a query parameter (a repeated one counts once), trimmed; '' when absent. */
export function param(request: FastifyRequest, name: string): string {
  const v = (request.query as Record<string, string | string[] | undefined>)[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() : '';
}

/** What a listing URL asks for, checked: values the catalog read takes, and what the form shows back. */
export type ListingInput = Readonly<{
  category: string;
  shop: string;
  /** Minor units, when given and valid. */
  minPrice?: number;
  maxPrice?: number;
  /** What the price fields show: the normalised number when valid, the text as typed when not. */
  minText: string;
  maxText: string;
  sort: ProductSort;
  cursor: string;
  errors: FieldError[];
}>;

const MAX_CURSOR = 512;

/**
 * Reads a listing's query: category (slug; `fixedCategory` on a category page), shop, price range
 * in major units (converted to minor units of `currency`), sort and cursor. Bad values become
 * errors the page shows, never an exception.
 */
export function readListingInput(request: FastifyRequest, currency: string, fixedCategory?: string): ListingInput {
  const errors: FieldError[] = [];
  const price = (name: 'minPrice' | 'maxPrice', label: string): [number | undefined, string] => {
    const text = param(request, name);
    if (text === '') return [undefined, ''];
    const amount = parseMajorUnits(text, currency);
    if (amount === null) {
      errors.push({ field: name, message: `${label} must be a number, like 25 or 12.50` });
      return [undefined, text.slice(0, 40)];
    }
    if (amount > MAX_AMOUNT) {
      errors.push({ field: name, message: `${label} must be at most ${toMajorUnits(MAX_AMOUNT, currency)}` });
      return [undefined, text.slice(0, 40)];
    }
    return [amount, toMajorUnits(amount, currency)];
  };
  const [minPrice, minText] = price('minPrice', 'Lowest price');
  const [maxPrice, maxText] = price('maxPrice', 'Highest price');
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    errors.push({ field: 'minPrice', message: 'Lowest price must not be more than the highest price' });
  }
  const sortText = param(request, 'sort');
  const known = SORTS.find(([s]) => s === sortText);
  if (sortText !== '' && !known) errors.push({ field: 'sort', message: 'Choose one of the sort orders in the list' });
  const cursor = param(request, 'cursor');
  if (cursor.length > MAX_CURSOR) errors.push({ field: 'results', message: 'That page link is broken. Start again from the first page.' });
  return {
    category: fixedCategory ?? param(request, 'category').slice(0, 64),
    shop: param(request, 'shop').slice(0, 64),
    minPrice,
    maxPrice,
    minText,
    maxText,
    sort: known ? known[0] : 'newest',
    cursor: cursor.length > MAX_CURSOR ? '' : cursor,
    errors,
  };
}

/** Every category of the tree, depth first, with its ancestors (for breadcrumbs and the select). */
export function flattenCategories(
  nodes: ReadonlyArray<CategoryNode>,
  ancestors: ReadonlyArray<CategoryNode> = [],
): Array<{ node: CategoryNode; ancestors: ReadonlyArray<CategoryNode> }> {
  return nodes.flatMap((node) => [{ node, ancestors }, ...flattenCategories(node.children, [...ancestors, node])]);
}
