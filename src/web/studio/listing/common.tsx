import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../../../modules/audit/index.ts';
import type { Product, Shop } from '../../../modules/catalog/index.ts';
import type { LiveSession } from '../../../modules/identity/index.ts';
import type { FieldError } from '../../forms.ts';

/** Who did it, for the audit trail: the pages' form of the API's `auditActorOf`. */
export function actorOf(session: LiveSession, request: FastifyRequest, role: string = session.account.role): AuditActor {
  const agent = request.headers['user-agent'];
  return {
    accountId: session.account.id,
    role,
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 300) : null,
  };
}

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

/** A multi-line labelled text box with its hint and error (the GOV.UK pattern of TextField). */
export function TextArea(props: {
  id: string;
  label: string;
  value: string;
  errors: readonly FieldError[];
  hint?: string;
  rows?: number;
  maxLength?: number;
}) {
  const error = props.errors.find((e) => e.field === props.id)?.message;
  const describedBy = [props.hint ? `${props.id}-hint` : null, error ? `${props.id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span id={`${props.id}-hint`} class="hint">
          {props.hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${props.id}-error`} class="field-error">
          <span class="visually-hidden">Error: </span>
          {error}
        </span>
      ) : null}
      <textarea
        id={props.id}
        name={props.id}
        rows={props.rows ?? 4}
        maxLength={props.maxLength}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? 'true' : undefined}
      >
        {props.value}
      </textarea>
    </div>
  );
}
