import type { NowFigures as ModuleNow } from '../../../modules/ops/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { Island } from '../../components/island.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import ConsoleNow, { type ConsoleNowProps, type NowFigures } from '../../islands/console-now.tsx';

/** How often the page asks for new figures (the module samples every 10 s; a fresh sample is taken per ask). */
export const NOW_POLL_MS = 5000;

/**
 * Now: the figures of this process, rendered from the ops module's `now()`; the island then keeps
 * them fresh from the JSON API. The module's type and the API's are the same figures: assigning
 * one to the other is checked by the compiler, so a drift between them breaks the build.
 */
export function NowPage(props: { site: SiteContext; who: string; now: ModuleNow }) {
  const initial: NowFigures = props.now;
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title="Now"
      path="/console"
      who={props.who}
      lead="How the marketplace is running, from this process's own metrics."
    >
      <Island<ConsoleNowProps> name="console-now" component={ConsoleNow} props={{ initial, pollMs: NOW_POLL_MS }} />
    </OfficeLayout>
  );
}
