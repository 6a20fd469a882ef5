import { TEXT_LIMITS, type Product, type Shop } from '../../../modules/catalog/index.ts';
import { TextArea } from '../../components/form.tsx';
import type { FieldError } from '../../forms.ts';

/** Where the shop stands, in the words the seller reads (the contract's: "Waiting for approval", "Open", "Suspended"). */
export function shopStatusWords(shop: Shop): string {
  if (shop.status === 'pending') return 'Waiting for approval';
  if (shop.status === 'active') return 'Open';
  return 'Suspended';
}

/** A product's status as the seller reads it; "Unpublished by the operator" while the operator holds it. */
export function productStatusWords(product: Pick<Product, 'status' | 'moderationNote'>): string {
  if (product.moderationNote !== null) return 'Unpublished by the operator';
  return product.status === 'published' ? 'Published' : 'Draft';
}

/** A variant's label as the studio shows it: its option values ("M", "M / Indigo"), or "Default" without options. */
export function variantLabel(options: Readonly<Record<string, string>>): string {
  const values = Object.values(options).filter((v) => v.length > 0);
  return values.length > 0 ? values.join(' / ') : 'Default';
}

/** The pill class of a status (office.css). */
export function statusClass(words: string): 'ok' | 'warn' | 'bad' {
  if (words === 'Open' || words === 'Published') return 'ok';
  if (words === 'Suspended' || words === 'Unpublished by the operator') return 'bad';
  return 'warn';
}

/** Checks a text field's presence and length; returns the error, if any. */
export function checkText(
  errors: FieldError[],
  field: string,
  value: string,
  opts: { label: string; required?: boolean; max: number },
): void {
  if (opts.required && value.trim().length === 0) errors.push({ field, message: `Enter the ${opts.label.toLowerCase()}` });
  else if (value.length > opts.max) errors.push({ field, message: `${opts.label} must be ${opts.max} characters or fewer` });
}

/** The shop's two policies, as opening a shop and the shop's settings both ask for them. */
export function PolicyFields(props: { form: Readonly<{ shippingPolicy: string; returnsPolicy: string }>; errors: readonly FieldError[] }) {
  const { form, errors } = props;
  return (
    <>
      <TextArea id="shippingPolicy" label="Shipping policy" value={form.shippingPolicy} errors={errors} maxLength={TEXT_LIMITS.shopText} />
      <TextArea id="returnsPolicy" label="Returns policy" value={form.returnsPolicy} errors={errors} maxLength={TEXT_LIMITS.shopText} />
    </>
  );
}
