import type { ComponentType } from 'preact';
import type { IslandName } from '../islands/names.ts';

/**
 * A part of a server-rendered page that a script brings to life (Fresh's and Astro's islands):
 * rendered here with `props`, then hydrated in the browser by client/storefront.ts with the same
 * props, read from `data-props`. The page works without the script; the island only enhances it.
 * The props are the value the page was rendered from, so both renderings agree.
 */
export function Island<P extends object>(props: { name: IslandName; component: ComponentType<P>; props: P }) {
  const Component = props.component;
  return (
    <div class="island" data-island={props.name} data-props={JSON.stringify(props.props)}>
      <Component {...props.props} />
    </div>
  );
}
