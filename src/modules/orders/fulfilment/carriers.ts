/**
 * Tracking links of the carriers we know: a shipped email links to the parcel without the seller
 * pasting a URL. A carrier not listed is kept as the seller typed it, and the link is the one the
 * seller gives (or none). Codes are lower case; the name is what the buyer reads.
 */
const CARRIERS: Readonly<Record<string, { name: string; url: (trackingNumber: string) => string }>> = {
  ups: { name: 'UPS', url: (n) => `https://www.ups.com/track?tracknum=${n}` },
  fedex: { name: 'FedEx', url: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}` },
  dhl: { name: 'DHL', url: (n) => `https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id=${n}` },
  usps: { name: 'USPS', url: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}` },
  'royal-mail': { name: 'Royal Mail', url: (n) => `https://www.royalmail.com/track-your-item#/tracking-results/${n}` },
  'la-poste': { name: 'La Poste', url: (n) => `https://www.laposte.fr/outils/suivre-vos-envois?code=${n}` },
  dpd: { name: 'DPD', url: (n) => `https://tracking.dpd.de/status/en_US/parcel/${n}` },
  gls: { name: 'GLS', url: (n) => `https://gls-group.com/track/${n}` },
  postnl: { name: 'PostNL', url: (n) => `https://jouw.postnl.nl/track-and-trace/${n}` },
};

/** The carrier codes that get a tracking link built (for the API's description and the studio's list). */
export const KNOWN_CARRIERS: readonly string[] = Object.keys(CARRIERS);

/** How a carrier is named to the buyer: the known name for a known code, else as given. */
export function carrierName(carrier: string): string {
  return CARRIERS[carrier.trim().toLowerCase()]?.name ?? carrier.trim();
}

/**
 * The tracking link of a shipment: the one the seller gave wins, else the known carrier's, else
 * none. The tracking number is URL-encoded, so it can never change the link's host or path.
 */
export function trackingUrlFor(carrier: string, trackingNumber: string, given: string | null): string | null {
  if (given) return given;
  const known = CARRIERS[carrier.trim().toLowerCase()];
  return known ? known.url(encodeURIComponent(trackingNumber)) : null;
}
