import { useEffect, useRef, useState } from 'preact/hooks';
import { Field } from '../components/form.tsx';

type Row = Readonly<{ id: string; value: string; price: string }>;
export type VariantsProps = Readonly<{
  rows: ReadonlyArray<Row>;
  /** Empty rows offered beyond `rows` (the page without JavaScript adds variants with them). */
  spare: number;
  max: number;
  /** The longest value a variant may have (the catalog's TEXT_LIMITS.optionValue, passed by the page). */
  valueMax: number;
  currency: string;
  /** Field errors by input id (`variant-2-price`). */
  errors: Readonly<Record<string, string>>;
}>;

const EMPTY: Row = { id: '', value: '', price: '' };
/** A price is typed as an amount ("1234567.89"): 16 characters are more than any allowed price needs. */
const PRICE_MAX_CHARS = 16;
const field = (n: number, part: string) => `variant-${n}-${part}`;

function Input(props: {
  id: string;
  label: string;
  value: string;
  maxLength: number;
  error?: string | undefined;
  hint?: string;
  decimal?: boolean;
}) {
  return (
    <Field
      id={props.id}
      label={props.label}
      hint={props.hint}
      errors={props.error ? [{ field: props.id, message: props.error }] : []}
      control={(aria) => (
        <input
          id={props.id}
          name={props.id}
          type="text"
          // Uncontrolled: what the seller types survives the island's re-renders.
          defaultValue={props.value}
          inputMode={props.decimal ? 'decimal' : undefined}
          maxLength={props.maxLength}
          autocomplete="off"
          {...aria}
        />
      )}
    />
  );
}

/**
 * The product editor's variant rows (a value of the option and a price in the currency's amount,
 * "12.50"). Rendered on the server with a few spare empty rows, which work without JavaScript;
 * once running, the spare rows go and "Add a variant" adds one at a time, moving focus to it.
 */
export default function Variants(props: VariantsProps) {
  const initial = [...props.rows, ...Array.from({ length: props.spare }, () => EMPTY)];
  const [count, setCount] = useState(initial.length);
  const [live, setLive] = useState(false);
  const focusNext = useRef<number | null>(null);
  useEffect(() => {
    // Keep every row that holds something or an error; at least one.
    const kept = initial.reduce(
      (last, r, i) =>
        r.value || r.price || r.id || props.errors[field(i + 1, 'value')] || props.errors[field(i + 1, 'price')] ? i + 1 : last,
      0,
    );
    setCount(Math.max(1, kept));
    setLive(true);
  }, []);
  useEffect(() => {
    if (focusNext.current !== null) document.getElementById(field(focusNext.current, 'value'))?.focus();
    focusNext.current = null;
  }, [count]);
  const rows = Array.from({ length: count }, (_, i) => initial[i] ?? EMPTY);
  return (
    <fieldset class="variants">
      <legend>Variants</legend>
      <p class="hint" id="variants-hint">
        Each variant is one value of the option (a size, a colour) with its price in {props.currency}, like 12.50.
      </p>
      <ol class="variant-rows">
        {rows.map((r, i) => {
          const n = i + 1;
          return (
            <li key={n} class="variant-row">
              {r.id ? <input type="hidden" name={field(n, 'id')} value={r.id} /> : null}
              <Input
                id={field(n, 'value')}
                label={`Variant ${n} value`}
                value={r.value}
                maxLength={props.valueMax}
                error={props.errors[field(n, 'value')]}
              />
              <Input
                id={field(n, 'price')}
                label={`Variant ${n} price`}
                value={r.price}
                maxLength={PRICE_MAX_CHARS}
                decimal
                error={props.errors[field(n, 'price')]}
                hint={props.currency}
              />
            </li>
          );
        })}
      </ol>
      {live && count < props.max ? (
        <button
          type="button"
          class="secondary"
          onClick={() => {
            focusNext.current = count + 1;
            setCount(count + 1);
          }}
        >
          Add a variant
        </button>
      ) : null}
    </fieldset>
  );
}
