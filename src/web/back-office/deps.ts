import type { AuditModule } from '../../modules/audit/index.ts';
import type { MediaModule } from '../../modules/media/index.ts';
import type { NotificationsModule } from '../../modules/notifications/index.ts';
import type { OpsModule } from '../../modules/ops/index.ts';
import type { PaymentsModule } from '../../modules/payments/index.ts';
import type { ReportingModule } from '../../modules/reporting/index.ts';
import type { WebhooksModule } from '../../modules/webhooks/index.ts';
import type { StorefrontDeps } from '../storefront/site.ts';

/**
 * What the seller studio (`/studio`) and the operator console (`/console`) are built from: the
 * storefront's modules and the ones only the people running the marketplace use. Pages call the
 * modules' functions, the same ones the JSON API's routes call (never the API over HTTP); the
 * islands in the browser call the JSON API with the typed client (client/api.ts).
 */
export type BackOfficeDeps = StorefrontDeps &
  Readonly<{
    media: MediaModule;
    payments: PaymentsModule;
    notifications: NotificationsModule;
    reporting: ReportingModule;
    webhooks: WebhooksModule;
    audit: AuditModule;
    ops: OpsModule;
  }>;
