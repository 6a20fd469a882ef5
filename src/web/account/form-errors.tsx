import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../shared/errors.ts';
import { sendPrivatePage } from '../html.ts';
import { ProblemPage, sendErrorPage } from '../storefront/errors.tsx';
import type { StorefrontDeps } from '../storefront/site.ts';

/**
 * What a form page shows when the request is refused before its handler runs: too many attempts
 * (the strict rate limits, with the Retry-After the limiter set), a form too large or not a form,
 * a service too busy. Anything else is the site's error page.
 */
export function formErrorHandler(deps: StorefrontDeps) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const page = (status: number, title: string, message: string) =>
      sendPrivatePage(request, reply, <ProblemPage site={deps.site} path={path} title={title} message={message} />, status);
    if (isDomainError(err) && err.kind === 'rate_limited') {
      const seconds = Number((err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60);
      const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
      return page(429, 'Too many attempts', `For your security we have paused this for a while. Please try again in ${wait}.`);
    }
    if (isDomainError(err) && err.kind === 'unavailable') {
      void reply.header('retry-after', '5');
      return page(503, 'We are busy right now', 'Please try again in a few seconds. Nothing has been lost.');
    }
    if (err.statusCode === 413 || err.statusCode === 415 || err.statusCode === 400) {
      return page(400, 'That form could not be read', 'Go back, reload the page and try again.');
    }
    request.log.error({ err, url: request.url }, 'page failed');
    return sendErrorPage(deps.site, request, reply);
  };
}
