import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../shared/errors.ts';
import { Layout, PageHeading } from '../components/layout.tsx';
import type { SiteContext } from '../components/document.tsx';
import { sendPrivatePage } from '../html.ts';

/** The site's own pages for what went wrong: not found, refused, failed, too busy. */
export function ProblemPage(props: { site: SiteContext; path: string; title: string; message: string }) {
  return (
    <Layout site={props.site} meta={{ title: props.title, description: props.message, path: props.path, noindex: true }}>
      <PageHeading title={props.title} lead={props.message} />
      <p>
        <a href="/">Go to the home page</a> or <a href="/products">browse everything</a>.
      </p>
    </Layout>
  );
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '/';

/** Sends the site's page for a problem, never cached (it may name the request). */
export function sendProblem(
  site: SiteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
) {
  return sendPrivatePage(request, reply, <ProblemPage site={site} path={pathOf(request)} title={title} message={message} />, status);
}

export const sendNotFoundPage = (site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply =>
  sendProblem(site, request, reply, 404, 'Page not found', 'We could not find that page. It may have moved, or the link may be wrong.');

export const sendForbiddenPage = (site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply =>
  sendProblem(
    site,
    request,
    reply,
    403,
    'That form came from another site',
    "For your safety we only accept forms sent from this site's own pages. Go back, reload the page and try again.",
  );

export const sendErrorPage = (site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply =>
  sendProblem(
    site,
    request,
    reply,
    500,
    'Something went wrong',
    `Sorry, that did not work on our side. Please try again in a moment. If it keeps happening, quote reference ${request.id}.`,
  );

/**
 * What a page shows when a request is refused before or outside its handler: too many attempts
 * (the rate limits, with the Retry-After the limiter set), a service too busy, a form too large
 * or not a form, a page that does not exist. Anything else is the site's error page, logged.
 */
export function pageErrorHandler(site: SiteContext) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isDomainError(err) && err.kind === 'rate_limited') {
      const seconds = Number((err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60);
      const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
      return sendProblem(
        site,
        request,
        reply,
        429,
        'Too many attempts',
        `For your security we have paused this for a while. Please try again in ${wait}.`,
      );
    }
    if (isDomainError(err) && err.kind === 'unavailable') {
      void reply.header('retry-after', '5');
      return sendProblem(site, request, reply, 503, 'We are busy right now', 'Please try again in a few seconds. Nothing has been lost.');
    }
    if (isDomainError(err) && err.kind === 'not_found') return sendNotFoundPage(site, request, reply);
    // A move a form's own checks did not catch (another tab got there first, a role changed): the
    // module's message says what; nothing was changed.
    if (
      isDomainError(err) &&
      (err.kind === 'forbidden' || err.kind === 'conflict' || err.kind === 'invalid' || err.kind === 'unprocessable')
    ) {
      const status = { forbidden: 403, conflict: 409, invalid: 400, unprocessable: 422 }[err.kind];
      return sendProblem(
        site,
        request,
        reply,
        status,
        'That could not be done',
        `${err.message}. Nothing was changed. Go back, reload the page and try again.`,
      );
    }
    if (err.statusCode === 413 || err.statusCode === 415 || err.statusCode === 400) {
      return sendProblem(site, request, reply, 400, 'That form could not be read', 'Go back, reload the page and try again.');
    }
    request.log.error({ err, url: request.url }, 'page failed');
    return sendErrorPage(site, request, reply);
  };
}
