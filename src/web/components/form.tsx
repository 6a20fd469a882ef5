import type { ComponentChildren } from 'preact';
import { errorFor, type FieldError } from '../forms.ts';

/** What a control inside a `Field` carries to be tied to its hint and error. */
type ControlAria = Readonly<{ 'aria-describedby': string | undefined; 'aria-invalid': 'true' | undefined }>;

/**
 * A labelled control with its hint and error message (GOV.UK pattern): the error is tied to the
 * control with aria-describedby and the error summary links to the control's id. `control` draws
 * the input, select or textarea with the aria attributes it is given.
 */
export function Field(props: {
  id: string;
  label: ComponentChildren;
  errors: readonly FieldError[];
  hint?: ComponentChildren;
  class?: string;
  control: (aria: ControlAria) => ComponentChildren;
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
      {props.control({ 'aria-describedby': describedBy || undefined, 'aria-invalid': error ? 'true' : undefined })}
    </div>
  );
}

/** A labelled input (a `Field`). A password field never shows what was typed. */
export function TextField(props: {
  id: string;
  label: ComponentChildren;
  errors: readonly FieldError[];
  value?: string;
  name?: string;
  type?: 'text' | 'email' | 'password' | 'search' | 'date';
  autocomplete?: string;
  hint?: ComponentChildren;
  required?: boolean;
  maxLength?: number;
  inputMode?: 'text' | 'email';
  spellcheck?: boolean;
  class?: string;
}) {
  return (
    <Field
      id={props.id}
      label={props.label}
      errors={props.errors}
      hint={props.hint}
      class={props.class}
      control={(aria) => (
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
          {...aria}
        />
      )}
    />
  );
}

/** A multi-line labelled text box (a `Field`). */
export function TextArea(props: {
  id: string;
  label: ComponentChildren;
  value: string;
  errors: readonly FieldError[];
  hint?: ComponentChildren;
  rows?: number;
  maxLength?: number;
}) {
  return (
    <Field
      id={props.id}
      label={props.label}
      errors={props.errors}
      hint={props.hint}
      control={(aria) => (
        <textarea id={props.id} name={props.id} rows={props.rows ?? 4} maxLength={props.maxLength} {...aria}>
          {props.value}
        </textarea>
      )}
    />
  );
}
