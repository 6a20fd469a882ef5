import { useEffect, useState } from 'preact/hooks';

/** A "Print" button for the packing slip: shown once a script runs (without one, the page says how to print). */
export default function SalesPrint() {
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);
  if (!live) return null;
  return (
    <button type="button" class="button no-print" onClick={() => window.print()}>
      Print
    </button>
  );
}
