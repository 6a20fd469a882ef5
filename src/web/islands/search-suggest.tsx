import { useEffect, useRef, useState } from 'preact/hooks';

type Suggestion = Readonly<{ id: string; title: string; shopName: string }>;

/** Wait this long after the last key before asking (a fast typist makes one request, not five). */
const DEBOUNCE_MS = 150;
const MIN_CHARS = 2;

/**
 * The header's search box. Server-rendered and without a script it is a plain search field in a
 * GET form. Once hydrated it becomes an ARIA 1.2 combobox: while typing it asks
 * `/api/v1/search?q=<prefix>&limit=5` (prefixes match; the same cached search as the page) and
 * shows the products in a listbox. Arrows move through them, Enter opens the chosen product (or
 * submits the search when none is chosen), Escape closes the list.
 */
export default function SearchSuggest(props: { query?: string }) {
  const [live, setLive] = useState(false);
  const [text, setText] = useState(props.query ?? '');
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const pending = useRef<AbortController>(undefined);

  useEffect(() => setLive(true), []);

  const ask = (q: string) => {
    clearTimeout(timer.current);
    pending.current?.abort();
    if (q.trim().length < MIN_CHARS) {
      setItems([]);
      setOpen(false);
      return;
    }
    timer.current = setTimeout(() => {
      const ctl = new AbortController();
      pending.current = ctl;
      fetch(`/api/v1/search?q=${encodeURIComponent(q.trim())}&limit=5`, { signal: ctl.signal, headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? (r.json() as Promise<{ items: Suggestion[] }>) : { items: [] }))
        .then((page) => {
          setItems(page.items);
          setActive(-1);
          setOpen(page.items.length > 0);
        })
        .catch(() => undefined);
    }, DEBOUNCE_MS);
  };

  const go = (s: Suggestion) => {
    location.href = `/products/${s.id}`;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (items.length === 0) return;
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      // -1 is the text box itself: the choice cycles through it, as in the APG's combobox example.
      setActive((a) => ((a + 1 + step + items.length + 1) % (items.length + 1)) - 1);
    } else if (e.key === 'Enter' && open && active >= 0 && items[active]) {
      e.preventDefault();
      go(items[active]);
    } else if (e.key === 'Escape') {
      if (open) e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const expanded = live && open && items.length > 0;
  // Only once the script runs is the box a combobox (Preact's types tie that role to type="text").
  const combobox: Record<string, unknown> = live
    ? {
        role: 'combobox',
        'aria-autocomplete': 'list',
        'aria-expanded': expanded,
        'aria-controls': 'site-search-list',
        'aria-activedescendant': expanded && active >= 0 ? `site-search-option-${active}` : undefined,
      }
    : {};
  return (
    <div class="suggest">
      <input
        id="site-search"
        name="q"
        type="search"
        placeholder="Search handmade goods"
        value={text}
        autocomplete="off"
        {...(combobox as object)}
        onInput={(e) => {
          const q = e.currentTarget.value;
          setText(q);
          ask(q);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {live ? (
        <ul id="site-search-list" role="listbox" aria-label="Suggested products" class="suggest-list" hidden={!expanded}>
          {items.map((s, i) => (
            <li
              key={s.id}
              id={`site-search-option-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                go(s);
              }}
            >
              {s.title} <span class="muted">by {s.shopName}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {live ? (
        <span class="visually-hidden" role="status" aria-live="polite">
          {expanded ? `${items.length} suggestions; use the arrow keys to choose` : ''}
        </span>
      ) : null}
    </div>
  );
}
