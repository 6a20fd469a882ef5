import { renderDocument } from '../html.ts';
import type { SiteContext } from '../components/document.tsx';
import { Layout, PageHeading } from '../components/layout.tsx';

function BusyPage(props: { site: SiteContext; retryAfterSeconds: number }) {
  return (
    <Layout
      site={props.site}
      meta={{
        title: 'We are very busy',
        description: 'So many people are visiting that we could not show this page just now.',
        path: '/',
        noindex: true,
      }}
    >
      <div class="busy">
        <PageHeading
          title="We are very busy right now"
          lead="So many people are visiting that we could not show this page just now. Nothing is wrong with your cart or your orders."
        />
        <p>Please try again in {props.retryAfterSeconds} seconds: reload this page, or go back and follow the link again.</p>
        <p>
          If you were checking out, your cart is kept, and paying for an order goes ahead even while browsing is busy.{' '}
          <a href="/cart">Go to your cart</a>.
        </p>
      </div>
    </Layout>
  );
}

/**
 * The "we are busy" page load shedding answers a person's browser with (503 + Retry-After): made
 * once at start, so refusing costs no rendering. No script (islands would make more requests to
 * an overloaded server), nothing personal, and the stylesheet most visitors already hold.
 */
export function renderBusyPage(site: SiteContext, retryAfterSeconds: number): string {
  return renderDocument(<BusyPage site={{ ...site, script: '' }} retryAfterSeconds={retryAfterSeconds} />);
}
