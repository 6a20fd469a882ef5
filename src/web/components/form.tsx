import type { ComponentChildren } from 'preact';
import { errorFor, type FieldError } from '../forms.ts';

/**
 * A labelled input with its hint and error message (GOV.UK pattern): the error is tied to the
 * input with aria-describedby and the error summary links to the input's id. A password field
 * never shows what was typed.
 */
export function TextField(props: {
  id: string;
  label: ComponentChildren;
  errors: readonly FieldError[];
  value?: string;
  name?: string;
  type?: 'text' | 'email' | 'password' | 'search';
  autocomplete?: string;
  hint?: ComponentChildren;
  required?: boolean;
  maxLength?: number;
  inputMode?: 'text' | 'email';
  spellcheck?: boolean;
  class?: string;
}) {
  const error = errorFor(props.errors, props.id);
  const describedBy = [props.hint ? `${props.id}-hint` : null, error ? `${props.id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}${props.class ? ` ${props.class}` : ''}`}>
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
      <input
        id={props.id}
        name={props.name ?? props.id}
        // The union of input types is too wide for Preact's per-type attribute typing.
        type={(props.type ?? 'text') as 'text'}
        value={props.type === 'password' ? '' : (props.value ?? '')}
        autocomplete={props.autocomplete}
        required={props.required}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? 'true' : undefined}
      />
    </div>
  );
}
