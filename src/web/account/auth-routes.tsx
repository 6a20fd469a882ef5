import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../shared/errors.ts';
import { formField, queryField, safeReturnPath, type FieldError } from '../forms.ts';
import { seeOther, sendPrivatePage } from '../html.ts';
import type { StorefrontDeps } from '../storefront/site.ts';
import {
  CheckYourEmailPage,
  EmailVerifiedPage,
  ForgotPasswordPage,
  ResetPasswordPage,
  SignInPage,
  SignUpPage,
  VerifyEmailPage,
} from './auth-pages.tsx';
import { newPasswordProblem, signUpProblems, tokenProblem } from './validation.ts';

/** The return path a form or link carries, checked: '' when it is absent or not a path on this site. */
const nextOf = (value: string) => {
  const path = safeReturnPath(value, '');
  return path;
};

/** The field of a page form that a domain error names (`body.password` -> `password`). */
const fieldOf = (err: { field?: string }, fallback: string) => err.field?.replace(/^body\./, '') ?? fallback;

/**
 * Sign in, sign up, sign out and the emailed-link pages. Every POST answers with a 303 to a page
 * (or the form again with its errors, keeping what was typed but never a password). Sign-in is
 * rate-limited exactly like the API's log-in: app/http.ts lists `POST /sign-in` in strictRoutes
 * under the same name, so the two share their counters.
 */
export function authRoutes(deps: StorefrontDeps) {
  const { site, identity } = deps;
  const pages = identity.pages;

  return async (app: FastifyInstance) => {
    app.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
      const next = nextOf(queryField(request, 'next'));
      if (await pages.current(request)) return seeOther(reply, next || '/account');
      const notice = queryField(request, 'reset') === '1' ? 'Your password has been changed. Sign in with your new password.' : undefined;
      return sendPrivatePage(request, reply, <SignInPage site={site} errors={[]} email="" next={next} notice={notice} />);
    });

    app.post('/sign-in', { schema: { hide: true }, preHandler: pages.recognizeDevice }, async (request, reply) => {
      const email = formField(request, 'email').trim();
      const password = formField(request, 'password');
      const next = nextOf(formField(request, 'next'));
      const errors: FieldError[] = [];
      if (!email) errors.push({ field: 'email', message: 'Enter your email address' });
      if (!password) errors.push({ field: 'password', message: 'Enter your password' });
      if (errors.length === 0) {
        try {
          await pages.signIn(request, reply, email, password);
          return await seeOther(reply, next || '/account');
        } catch (err) {
          if (!(isDomainError(err) && err.kind === 'unauthenticated')) throw err;
          errors.push({ field: 'email', message: 'The email address or password is not right. Check them and try again.' });
        }
      }
      return sendPrivatePage(request, reply, <SignInPage site={site} errors={errors} email={email} next={next} />, 400);
    });

    app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
      await pages.signOut(request, reply);
      return seeOther(reply, '/');
    });

    app.get('/sign-up', { schema: { hide: true } }, async (request, reply) => {
      const next = nextOf(queryField(request, 'next'));
      if (queryField(request, 'sent') === '1') return sendPrivatePage(request, reply, <CheckYourEmailPage site={site} next={next} />);
      return sendPrivatePage(request, reply, <SignUpPage site={site} errors={[]} name="" email="" next={next} />);
    });

    app.post('/sign-up', { schema: { hide: true } }, async (request, reply) => {
      const name = formField(request, 'name').trim();
      const email = formField(request, 'email').trim();
      const password = formField(request, 'password');
      const next = nextOf(formField(request, 'next'));
      const errors = signUpProblems({ name, email, password });
      if (errors.length === 0) {
        try {
          // Sign-up never signs in, and answers the same whether or not the email had an account.
          await identity.service.signUp({ name, email, password, role: 'customer' });
          return await seeOther(reply, `/sign-up?sent=1${next ? `&next=${encodeURIComponent(next)}` : ''}`);
        } catch (err) {
          if (!(isDomainError(err) && err.kind === 'invalid')) throw err;
          errors.push({ field: fieldOf(err, 'password'), message: err.message });
        }
      }
      return sendPrivatePage(request, reply, <SignUpPage site={site} errors={errors} name={name} email={email} next={next} />, 400);
    });

    app.get('/forgot-password', { schema: { hide: true } }, async (request, reply) =>
      sendPrivatePage(request, reply, <ForgotPasswordPage site={site} errors={[]} email="" sent={queryField(request, 'sent') === '1'} />),
    );

    app.post('/forgot-password', { schema: { hide: true } }, async (request, reply) => {
      const email = formField(request, 'email').trim();
      if (!email || email.length > 254) {
        const errors = [{ field: 'email', message: 'Enter your email address' }];
        return sendPrivatePage(request, reply, <ForgotPasswordPage site={site} errors={errors} email={email} sent={false} />, 400);
      }
      pages.requestPasswordReset(request, email);
      return seeOther(reply, '/forgot-password?sent=1');
    });

    app.get('/reset-password', { schema: { hide: true } }, async (request, reply) =>
      sendPrivatePage(request, reply, <ResetPasswordPage site={site} errors={[]} token="" />),
    );

    app.post('/reset-password', { schema: { hide: true } }, async (request, reply) => {
      const token = formField(request, 'token').trim();
      const newPassword = formField(request, 'newPassword');
      const errors = [tokenProblem('token', token), newPasswordProblem('newPassword', newPassword)].filter(
        (e): e is FieldError => e !== null,
      );
      if (errors.length === 0) {
        try {
          await pages.resetPassword(reply, token, newPassword);
          return await seeOther(reply, '/sign-in?reset=1');
        } catch (err) {
          if (!(isDomainError(err) && err.kind === 'invalid')) throw err;
          const field = err.code === 'IDENTITY_TOKEN_INVALID' ? 'token' : 'newPassword';
          errors.push({
            field,
            message: field === 'token' ? 'This link has expired or has already been used. Ask for a new one.' : err.message,
          });
        }
      }
      return sendPrivatePage(request, reply, <ResetPasswordPage site={site} errors={errors} token={token} />, 400);
    });

    app.get('/verify-email', { schema: { hide: true } }, async (request, reply) => {
      if (queryField(request, 'done') === '1') return verifiedPage(request, reply);
      return sendPrivatePage(request, reply, <VerifyEmailPage site={site} errors={[]} token="" />);
    });

    app.post('/verify-email', { schema: { hide: true } }, async (request, reply) => {
      const token = formField(request, 'token').trim();
      const problem = tokenProblem('token', token);
      const errors = problem ? [problem] : [];
      if (errors.length === 0) {
        try {
          await pages.verifyEmail(token);
          return await seeOther(reply, '/verify-email?done=1');
        } catch (err) {
          if (!(isDomainError(err) && err.kind === 'invalid')) throw err;
          errors.push({ field: 'token', message: 'This link has expired or has already been used. Sign in and ask for a new one.' });
        }
      }
      return sendPrivatePage(request, reply, <VerifyEmailPage site={site} errors={errors} token={token} />, 400);
    });

    /** After the link: sign in (or go on) to the checkout when this browser holds a cart, else the account. */
    async function verifiedPage(request: FastifyRequest, reply: FastifyReply) {
      const signedIn = (await pages.current(request)) !== null;
      const hasCart = (await cartCount(deps, request)) > 0;
      return sendPrivatePage(request, reply, <EmailVerifiedPage site={site} signedIn={signedIn} hasCart={hasCart} />);
    }
  };
}

/** How many items the cart this request speaks for holds (0 when it cannot tell). */
export async function cartCount(deps: StorefrontDeps, request: FastifyRequest): Promise<number> {
  return deps.cart.shopper.count(request).catch(() => 0);
}
