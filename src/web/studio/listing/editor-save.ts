import type { Product, ProductStatus } from '../../../modules/catalog/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import type { FieldError } from '../../forms.ts';
import type { CheckedRow, Intent, ProductForm } from './editor-form.ts';

type Saved = Readonly<{ id: string; done: 'created' | 'published' | 'unpublished' | 'saved' }> | Readonly<{ errors: FieldError[] }>;

function statusFor(intent: Intent, product: Product | null): ProductStatus {
  if (intent === 'publish') return 'published';
  if (intent === 'unpublish' || intent === 'draft') return 'draft';
  return product?.status ?? 'draft';
}

function doneFor(intent: Intent, product: Product | null): 'created' | 'published' | 'unpublished' | 'saved' {
  if (intent === 'publish') return 'published';
  if (intent === 'unpublish') return 'unpublished';
  return product ? 'saved' : 'created';
}

/** A saved variant whose option or price the form changed. */
function changed(product: Product, row: CheckedRow): boolean {
  const v = product.variants.find((x) => x.id === row.id);
  return !v || v.price.amount !== row.variant.price || JSON.stringify(v.options) !== JSON.stringify(row.variant.options);
}

/** Variants first (so a product is published with its final variants), then the product's fields and status. */
async function update(
  deps: BackOfficeDeps,
  accountId: string,
  product: Product,
  form: ProductForm,
  rows: readonly CheckedRow[],
  status: ProductStatus,
) {
  const catalog = deps.catalog.service;
  for (const row of rows) {
    if (row.id === '') await catalog.addVariant(accountId, product.id, row.variant);
    else if (changed(product, row))
      await catalog.updateVariant(accountId, product.id, row.id, { options: row.variant.options, price: row.variant.price });
  }
  await catalog.updateProduct(accountId, product.id, {
    title: form.title.trim(),
    description: form.description,
    categoryId: form.categoryId || null,
    status,
  });
}

/**
 * Saves the checked form through the catalog's functions (the API routes' own). The refusals a
 * seller can cause from the form (a product the operator holds, a variant's value or SKU taken)
 * come back as field errors; anything else is the pages' error handler's.
 */
export async function saveProduct(
  deps: BackOfficeDeps,
  accountId: string,
  input: Readonly<{ form: ProductForm; rows: readonly CheckedRow[]; intent: Intent; product: Product | null }>,
): Promise<Saved> {
  const { form, rows, intent, product } = input;
  const status = statusFor(intent, product);
  try {
    if (!product) {
      const created = await deps.catalog.service.createProduct(accountId, {
        title: form.title.trim(),
        description: form.description,
        categoryId: form.categoryId || null,
        status,
        variants: rows.map((r) => r.variant),
      });
      return { id: created.id, done: doneFor(intent, null) };
    }
    await update(deps, accountId, product, form, rows, status);
    return { id: product.id, done: doneFor(intent, product) };
  } catch (err) {
    if (isDomainError(err) && (err.kind === 'conflict' || err.kind === 'invalid'))
      return { errors: [{ field: 'title', message: err.message }] };
    throw err;
  }
}
