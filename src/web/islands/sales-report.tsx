import { useEffect, useState } from 'preact/hooks';
import { api, problemOf } from '../client/api.ts';
import type { operations } from '../api/schema.gen.ts';
import { TimeChart } from '../components/time-chart.tsx';
import { formatMoney } from '../format.ts';
import { minorDigits } from '../../shared/money.ts';

export type SalesReportProps = Readonly<{ from: string; to: string }>;

type Summary = operations['getSellerSummary']['responses'][200]['content']['application/json']['summary'];

const DAY_S = 86_400;

/** Every day of the range (UTC midnights, in seconds), so days without sales show as zero. */
function daysOf(from: string, to: string): number[] {
  const out: number[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`) / 1000; t <= Date.parse(`${to}T00:00:00Z`) / 1000; t += DAY_S) out.push(t);
  return out;
}

const money = formatMoney;

/**
 * The seller's sales over a range, from the JSON API's summary (GET /api/v1/seller/reports/summary,
 * built by reporting's jobs from events): paid orders and revenue per day drawn by uPlot (TimeChart,
 * with its table), the totals and the best sellers. Without a script the page says so.
 */
export default function SalesReport(props: SalesReportProps) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void api.GET('/api/v1/seller/reports/summary', { params: { query: { from: props.from, to: props.to } } }).then(({ data, error }) => {
      if (data) setSummary(data.summary);
      else setProblem(problemOf(error).message);
    });
  }, [props.from, props.to]);
  if (problem)
    return (
      <p class="notice" role="alert">
        {problem}
      </p>
    );
  if (!summary)
    return (
      <p aria-live="polite" class="muted">
        Loading the figures…
      </p>
    );
  return <SummaryView summary={summary} from={props.from} to={props.to} />;
}

function SummaryView(props: { summary: Summary; from: string; to: string }) {
  const { summary } = props;
  const x = daysOf(props.from, props.to);
  const byDay = new Map(summary.days.map((d) => [Date.parse(`${d.day}T00:00:00Z`) / 1000, d]));
  const currency = summary.totals[0]?.revenue.currency ?? summary.days[0]?.revenue.currency ?? 'EUR';
  return (
    <div class="sales-report">
      <dl class="figures">
        <div>
          <dt>Paid orders</dt>
          <dd>{summary.totals.reduce((n, t) => n + t.orders, 0)}</dd>
        </div>
        {summary.totals.map((t) => (
          <div key={t.revenue.currency}>
            <dt>Sales ({t.revenue.currency})</dt>
            <dd>{money(t.revenue)}</dd>
          </div>
        ))}
      </dl>
      <TimeChart
        caption={`Sales per day, ${props.from} to ${props.to}`}
        x={x}
        series={[
          { label: 'Paid orders', values: x.map((t) => byDay.get(t)?.orders ?? 0) },
          { label: `Sales (${currency})`, values: x.map((t) => (byDay.get(t)?.revenue.amount ?? 0) / 10 ** minorDigits(currency)) },
        ]}
      />
      <h2>Top products</h2>
      {summary.topProducts.length === 0 ? (
        <p>No sales in this range yet.</p>
      ) : (
        <table class="records">
          <caption class="visually-hidden">Top products by sales</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" class="num">
                Units
              </th>
              <th scope="col" class="num">
                Sales
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.topProducts.map((p) => (
              <tr key={p.productId}>
                <td>{p.title ?? p.productId}</td>
                <td class="num">{p.units}</td>
                <td class="num">{money(p.revenue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
