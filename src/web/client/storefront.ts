import { h, hydrate } from 'preact';
import type { IslandName } from '../islands/names.ts';
import { ISLANDS } from './island-loaders.ts';

/**
 * Brings the page's islands to life (components/island.tsx) with the props the server rendered
 * them with. The page works before this runs, and if it never does.
 */
for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-island]'))) {
  const load = ISLANDS[el.dataset.island as IslandName];
  if (!load) continue;
  const props = JSON.parse(el.dataset.props ?? '{}') as Record<string, unknown>;
  load()
    .then((m) => hydrate(h(m.default, props), el))
    .catch((err: unknown) => console.warn('island failed to load', el.dataset.island, err));
}
