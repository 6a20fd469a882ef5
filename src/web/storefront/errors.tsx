import type { FastifyReply, FastifyRequest } from 'fastify';
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

export function sendNotFoundPage(site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPrivatePage(
    request,
    reply,
    <ProblemPage
      site={site}
      path={pathOf(request)}
      title="Page not found"
      message="We could not find that page. It may have moved, or the link may be wrong."
    />,
    404,
  );
}

export function sendForbiddenPage(site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPrivatePage(
    request,
    reply,
    <ProblemPage
      site={site}
      path={pathOf(request)}
      title="That form came from another site"
      message="For your safety we only accept forms sent from this site's own pages. Go back, reload the page and try again."
    />,
    403,
  );
}

export function sendErrorPage(site: SiteContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendPrivatePage(
    request,
    reply,
    <ProblemPage
      site={site}
      path={pathOf(request)}
      title="Something went wrong"
      message={`Sorry, that did not work on our side. Please try again in a moment. If it keeps happening, quote reference ${request.id}.`}
    />,
    500,
  );
}
