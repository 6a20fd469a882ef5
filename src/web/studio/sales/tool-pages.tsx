import type { SiteContext } from '../../components/document.tsx';
import { Island } from '../../components/island.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import SalesExport from '../../islands/sales-export.tsx';
import SalesReport from '../../islands/sales-report.tsx';
import SalesWebhooks from '../../islands/sales-webhooks.tsx';

type Frame = Readonly<{ site: SiteContext; who: string }>;

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The shop's sales: reporting keeps them as read models behind its JSON API, so the figures and
 * the chart are an island that asks it (uPlot draws in the browser); the export is a job the
 * island starts and follows to its download link.
 */
export function ReportsPage(props: Frame & { now?: Date }) {
  const now = (props.now ?? new Date()).getTime();
  const range = { from: day(now - 29 * DAY_MS), to: day(now) };
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title="Reports"
      path="/studio/reports"
      who={props.who}
      lead="Your sales over the last 30 days (UTC)."
    >
      <noscript>
        <p class="notice">The figures and the chart need JavaScript in this browser.</p>
      </noscript>
      <Island name="sales-report" component={SalesReport} props={range} />
      <h2>Export</h2>
      <p>Every order of your shop as a CSV file: one row per line, with the shipping address.</p>
      <Island name="sales-export" component={SalesExport} props={{}} />
    </OfficeLayout>
  );
}

export function WebhooksPage(props: Frame) {
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title="Webhooks"
      path="/studio/webhooks"
      who={props.who}
      lead="Endpoints of your own systems that hear about each paid order."
    >
      <noscript>
        <p class="notice">Managing endpoints needs JavaScript in this browser.</p>
      </noscript>
      <Island name="sales-webhooks" component={SalesWebhooks} props={{}} />
    </OfficeLayout>
  );
}
