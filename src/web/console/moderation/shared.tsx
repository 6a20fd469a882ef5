import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { TEXT_LIMITS } from '../../../modules/catalog/index.ts';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { whoOf } from '../../back-office/guard.tsx';
import { TextField } from '../../components/form.tsx';
import type { FieldError } from '../../forms.ts';
import { sendPrivatePage } from '../../html.ts';

/** How many rows a look-up shows at a time. */
export const PAGE_SIZE = 20;

/** The frame's props every console page repeats: the site, who is signed in, the page's path. */
export function frameOf(deps: BackOfficeDeps, session: LiveSession, request: FastifyRequest) {
  return {
    site: deps.site,
    office: 'console' as const,
    who: whoOf(session),
    path: request.url.split('?')[0] ?? '/console',
  };
}

/** Sends a console page: private, never cached; `status` for a refused form (400, 409). */
export const sendConsolePage = (request: FastifyRequest, reply: FastifyReply, page: VNode, status = 200) =>
  sendPrivatePage(request, reply, page, status);

/** The module's refusal of a move (`conflict`: another operator got there first), or null for anything else. */
export function conflictOf(err: unknown): string | null {
  return isDomainError(err) && err.kind === 'conflict' ? err.message : null;
}

/** A blank reason (CATALOG_REASON_REQUIRED), or null for anything else. */
export function reasonRefused(err: unknown): boolean {
  return isDomainError(err) && err.code === 'CATALOG_REASON_REQUIRED';
}

/** A state in words, in a pill (office.css `.status`), coloured by how it stands. */
export function StatusPill(props: { tone: 'ok' | 'warn' | 'bad'; children: string }) {
  return <span class={`status ${props.tone}`}>{props.children}</span>;
}

/** The operator's reason for a move the seller must hear about (suspend, unpublish): posted as `reason`. */
export function ReasonField(props: { id: string; value: string; errors: readonly FieldError[] }) {
  return (
    <TextField
      id={props.id}
      name="reason"
      label="Reason"
      hint="The seller reads this in the studio."
      value={props.value}
      errors={props.errors}
      required
      maxLength={TEXT_LIMITS.reason}
    />
  );
}
