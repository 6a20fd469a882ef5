import { useEffect, useState } from 'preact/hooks';

export type TokenFieldProps = Readonly<{ id: string; label: string; hint: string; error?: string; value: string }>;

/**
 * The field for the token an emailed link carries in its fragment (`#token=...`): browsers never
 * send a fragment to the server, so without a script the person pastes it. With one, this island
 * copies the token from `location.hash` into the field and removes it from the address bar (and
 * so from history), and the person only presses the button.
 */
export default function TokenField(props: TokenFieldProps) {
  const [value, setValue] = useState(props.value);
  const [found, setFound] = useState(false);
  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (token) {
      setValue(token);
      setFound(true);
      history.replaceState(null, '', location.pathname + location.search);
    }
  }, []);
  const describedBy = [`${props.id}-hint`, props.error ? `${props.id}-error` : null].filter(Boolean).join(' ');
  return (
    <div class={`field token-field${props.error ? ' has-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      <span id={`${props.id}-hint`} class="hint">
        {found ? 'We have filled this in from the link in your email.' : props.hint}
      </span>
      {props.error ? (
        <span id={`${props.id}-error`} class="field-error">
          <span class="visually-hidden">Error: </span>
          {props.error}
        </span>
      ) : null}
      <input
        id={props.id}
        name={props.id}
        type="text"
        value={value}
        onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        autocomplete="off"
        spellcheck={false}
        required
        maxLength={200}
        aria-describedby={describedBy}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}
