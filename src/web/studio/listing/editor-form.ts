import type { FastifyRequest } from 'fastify';
import { TEXT_LIMITS, type Category, type NewVariant, type Product } from '../../../modules/catalog/index.ts';
import { MAX_AMOUNT } from '../../../shared/money.ts';
import { parseMajorUnits, toMajorUnits } from '../../format.ts';
import { formField, type FieldError } from '../../forms.ts';
import { checkText } from './common.tsx';

/** The most variant rows a form carries (the catalog's limit). */
export const MAX_VARIANT_ROWS = 50;
/** Empty rows a form offers beyond the filled ones, for adding variants without JavaScript. */
export const SPARE_ROWS = 3;

export type VariantRow = Readonly<{ id: string; value: string; price: string }>;
export type ProductForm = Readonly<{
  title: string;
  description: string;
  categoryId: string;
  optionName: string;
  variants: ReadonlyArray<VariantRow>;
}>;
export type Intent = 'draft' | 'save' | 'publish' | 'unpublish';

export const rowField = (n: number, part: 'value' | 'price' | 'id') => `variant-${n}-${part}`;
const isBlank = (r: VariantRow) => r.id === '' && r.value.trim() === '' && r.price.trim() === '';

/** The form as a product is: its option's name is the first option key of its first variant. */
export function formOf(product: Product): ProductForm {
  const optionName = Object.keys(product.variants[0]?.options ?? {})[0] ?? '';
  return {
    title: product.title,
    description: product.description,
    categoryId: product.categoryId ?? '',
    optionName,
    variants: product.variants.map((v) => ({
      id: v.id,
      value: optionName ? (v.options[optionName] ?? '') : '',
      price: toMajorUnits(v.price.amount, v.price.currency),
    })),
  };
}

export function readProductForm(request: FastifyRequest): ProductForm {
  const variants: VariantRow[] = [];
  for (let n = 1; n <= MAX_VARIANT_ROWS; n++) {
    variants.push({
      id: formField(request, rowField(n, 'id')),
      value: formField(request, rowField(n, 'value')),
      price: formField(request, rowField(n, 'price')),
    });
  }
  // Blank rows at the end are the spare ones; blank rows between filled ones keep their numbers.
  while (variants.length > 0 && isBlank(variants[variants.length - 1]!)) variants.pop();
  return {
    title: formField(request, 'title'),
    description: formField(request, 'description'),
    categoryId: formField(request, 'categoryId'),
    optionName: formField(request, 'optionName').trim(),
    variants,
  };
}

export function readIntent(request: FastifyRequest): Intent {
  const intent = formField(request, 'intent');
  return intent === 'publish' || intent === 'unpublish' || intent === 'save' ? intent : 'draft';
}

/** A checked variant row, ready for the catalog: the price in minor units. */
export type CheckedRow = Readonly<{ n: number; id: string; variant: NewVariant }>;

function checkRow(errors: FieldError[], form: ProductForm, row: VariantRow, n: number, currency: string): CheckedRow | null {
  const price = parseMajorUnits(row.price, currency);
  const needsValue = form.optionName !== '' || form.variants.filter((r) => !isBlank(r)).length > 1;
  if (needsValue && row.value.trim() === '')
    errors.push({ field: rowField(n, 'value'), message: `Enter the value of variant ${n}, like M` });
  else if (row.value.length > TEXT_LIMITS.optionValue)
    errors.push({ field: rowField(n, 'value'), message: `Variant ${n}'s value must be ${TEXT_LIMITS.optionValue} characters or fewer` });
  if (row.price.trim() === '') errors.push({ field: rowField(n, 'price'), message: `Enter the price of variant ${n}, like 12.50` });
  else if (price === null)
    errors.push({ field: rowField(n, 'price'), message: `Enter the price of variant ${n} as an amount, like 12.50` });
  else if (price < 1 || price > MAX_AMOUNT)
    errors.push({ field: rowField(n, 'price'), message: `The price of variant ${n} is out of range` });
  if (price === null) return null;
  const options: Record<string, string> = form.optionName ? { [form.optionName]: row.value.trim() } : {};
  return { n, id: row.id, variant: { options, price } };
}

function checkVariants(errors: FieldError[], form: ProductForm, currency: string, product: Product | null): CheckedRow[] {
  const rows: CheckedRow[] = [];
  form.variants.forEach((row, i) => {
    const n = i + 1;
    if (row.id !== '' && !product?.variants.some((v) => v.id === row.id)) {
      errors.push({ field: rowField(n, 'value'), message: `Variant ${n} is not one of this product's: reload the page` });
    } else if (!isBlank(row)) {
      const checked = checkRow(errors, form, row, n, currency);
      if (checked) rows.push(checked);
    }
  });
  if (form.variants.every(isBlank))
    errors.push({ field: rowField(1, 'price'), message: 'Give the product at least one variant with a price' });
  const values = rows.map((r) => Object.values(r.variant.options)[0] ?? '');
  const dup = values.findIndex((v, i) => values.indexOf(v) !== i);
  if (dup !== -1 && rows.length > 1) {
    const n = rows[dup]!.n;
    errors.push({ field: rowField(n, 'value'), message: `Variant ${n} has the same value as another: each variant needs its own` });
  }
  return rows;
}

/** Checks the form as the API's schema would, so the catalog never refuses it; field errors in form order. */
export function checkProductForm(
  form: ProductForm,
  ctx: { currency: string; categories: readonly Category[]; product: Product | null },
): { errors: FieldError[]; rows: CheckedRow[] } {
  const errors: FieldError[] = [];
  checkText(errors, 'title', form.title, { label: 'Title', required: true, max: TEXT_LIMITS.title });
  checkText(errors, 'description', form.description, { label: 'Description', max: TEXT_LIMITS.description });
  if (form.categoryId !== '' && !ctx.categories.some((c) => c.id === form.categoryId)) {
    errors.push({ field: 'categoryId', message: 'Choose a category from the list' });
  }
  checkText(errors, 'optionName', form.optionName, { label: 'Option name', max: TEXT_LIMITS.optionName });
  const multi = form.variants.filter((r) => !isBlank(r)).length > 1;
  if (multi && form.optionName === '') errors.push({ field: 'optionName', message: 'Name the option the variants differ in, like Size' });
  const rows = checkVariants(errors, form, ctx.currency, ctx.product);
  return { errors, rows };
}
