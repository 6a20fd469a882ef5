import { h, hydrate, type ComponentType } from 'preact';
import type { IslandName } from '../islands/names.ts';

export type IslandModule = { default: ComponentType<Record<string, unknown>> };

/**
 * Brings the page's islands to life (components/island.tsx) with the props the server rendered
 * them with, each loaded by its own loader. The page works before this runs, and if it never does.
 */
export function hydrateIslands(loaders: Partial<Record<IslandName, () => Promise<IslandModule>>>): void {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-island]'))) {
    const load = loaders[el.dataset.island as IslandName];
    if (!load) continue;
    const props = JSON.parse(el.dataset.props ?? '{}') as Record<string, unknown>;
    load()
      .then((m) => hydrate(h(m.default, props), el))
      .catch((err: unknown) => console.warn('island failed to load', el.dataset.island, err));
  }
}
