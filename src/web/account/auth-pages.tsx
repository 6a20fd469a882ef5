import type { ComponentChildren } from 'preact';
import type { SiteContext } from '../components/document.tsx';
import { TextField } from '../components/form.tsx';
import { Island } from '../components/island.tsx';
import { ErrorSummary, Layout, PageHeading } from '../components/layout.tsx';
import type { FieldError } from '../forms.ts';
import TokenField from '../islands/token-field.tsx';

/** A page of the sign-in family: never indexed, always private. */
function AuthLayout(props: {
  site: SiteContext;
  title: string;
  path: string;
  errors?: readonly FieldError[];
  children: ComponentChildren;
}) {
  const title = props.errors && props.errors.length > 0 ? `Error: ${props.title}` : props.title;
  return (
    <Layout site={props.site} meta={{ title: title, description: props.title, path: props.path, noindex: true }}>
      <div class="narrow">{props.children}</div>
    </Layout>
  );
}

const hidden = (name: string, value: string) => (value ? <input type="hidden" name={name} value={value} /> : null);

/** The sign-in form, also shown inside the checkout page. `next` is a checked return path. */
export function SignInForm(props: { errors: readonly FieldError[]; email: string; next: string; headingLevel?: 2 | 3 }) {
  return (
    <form method="post" action="/sign-in" novalidate class="stack">
      {hidden('next', props.next)}
      <TextField
        id="email"
        label="Email address"
        type="email"
        autocomplete="email"
        spellcheck={false}
        value={props.email}
        errors={props.errors}
      />
      <TextField id="password" label="Password" type="password" autocomplete="current-password" errors={props.errors} />
      <button type="submit">Sign in</button>
    </form>
  );
}

export function SignInPage(props: { site: SiteContext; errors: readonly FieldError[]; email: string; next: string; notice?: string }) {
  const q = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  return (
    <AuthLayout site={props.site} title="Sign in" path="/sign-in" errors={props.errors}>
      <ErrorSummary errors={props.errors} />
      {props.notice ? (
        <p class="notice ok" role="status">
          {props.notice}
        </p>
      ) : null}
      <PageHeading title="Sign in" />
      <SignInForm errors={props.errors} email={props.email} next={props.next} />
      <p>
        <a href="/forgot-password">Forgotten your password?</a>
      </p>
      <p>
        New here? <a href={`/sign-up${q}`}>Create an account</a>
      </p>
    </AuthLayout>
  );
}

/**
 * The sign-up form, also shown inside the checkout page; there `idPrefix` keeps its ids apart from
 * the sign-in form's (the names stay the same).
 */
export function SignUpForm(props: { errors: readonly FieldError[]; name: string; email: string; next: string; idPrefix?: string }) {
  const p = props.idPrefix ?? '';
  return (
    <form method="post" action="/sign-up" novalidate class="stack">
      {hidden('next', props.next)}
      <TextField
        id={`${p}name`}
        name="name"
        label="Your name"
        autocomplete="name"
        value={props.name}
        errors={props.errors}
        maxLength={100}
      />
      <TextField
        id={`${p}email`}
        name="email"
        label="Email address"
        type="email"
        autocomplete="email"
        spellcheck={false}
        hint="We will send a link to confirm it."
        value={props.email}
        errors={props.errors}
      />
      <TextField
        id={`${p}password`}
        name="password"
        label="Create a password"
        type="password"
        autocomplete="new-password"
        hint="At least 12 characters. A few unrelated words make a strong password."
        errors={props.errors}
      />
      <button type="submit">Create account</button>
    </form>
  );
}

export function SignUpPage(props: { site: SiteContext; errors: readonly FieldError[]; name: string; email: string; next: string }) {
  const q = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  return (
    <AuthLayout site={props.site} title="Create an account" path="/sign-up" errors={props.errors}>
      <ErrorSummary errors={props.errors} />
      <PageHeading title="Create an account" />
      <SignUpForm errors={props.errors} name={props.name} email={props.email} next={props.next} />
      <p>
        Already have an account? <a href={`/sign-in${q}`}>Sign in</a>
      </p>
    </AuthLayout>
  );
}

/** What sign-up answers, whether or not the email had an account (sign-up tells nothing). */
export function CheckYourEmailPage(props: { site: SiteContext; next: string }) {
  const q = props.next ? `?next=${encodeURIComponent(props.next)}` : '';
  const toCheckout = props.next === '/checkout';
  return (
    <AuthLayout site={props.site} title="Check your email" path="/sign-up">
      <PageHeading title="Check your email" />
      <p class="notice ok" role="status">
        If the address can receive email, we have sent it a message with what to do next.
      </p>
      <p>Open the link in the email to confirm your address. It works for 48 hours.</p>
      {toCheckout ? <p>Your cart is kept: once you have signed in you can carry on with your order.</p> : null}
      <p>
        <a class="button" href={`/sign-in${q}`}>
          {toCheckout ? 'Sign in to carry on' : 'Sign in'}
        </a>
      </p>
    </AuthLayout>
  );
}

export function ForgotPasswordPage(props: { site: SiteContext; errors: readonly FieldError[]; email: string; sent: boolean }) {
  return (
    <AuthLayout
      site={props.site}
      title={props.sent ? 'Check your email' : 'Reset your password'}
      path="/forgot-password"
      errors={props.errors}
    >
      <ErrorSummary errors={props.errors} />
      {props.sent ? (
        <>
          <PageHeading title="Check your email" />
          <p class="notice ok" role="status">
            If the address has an account, we have sent it a link to set a new password. The link works for 30 minutes, once.
          </p>
          <p>
            <a href="/sign-in">Back to sign in</a>
          </p>
        </>
      ) : (
        <>
          <PageHeading title="Reset your password" lead="We will email you a link to set a new one." />
          <form method="post" action="/forgot-password" novalidate class="stack">
            <TextField
              id="email"
              label="Email address"
              type="email"
              autocomplete="email"
              spellcheck={false}
              value={props.email}
              errors={props.errors}
            />
            <button type="submit">Send the link</button>
          </form>
        </>
      )}
    </AuthLayout>
  );
}

const TOKEN_HINT =
  'Open the link from your email in this browser and we fill this in. Or paste the code that follows "#token=" in the link.';

function tokenIsland(errors: readonly FieldError[], value: string, label: string) {
  const error = errors.find((e) => e.field === 'token')?.message;
  return (
    <Island
      name="token-field"
      component={TokenField}
      props={{ id: 'token', label, hint: TOKEN_HINT, value, ...(error ? { error } : {}) }}
    />
  );
}

export function ResetPasswordPage(props: { site: SiteContext; errors: readonly FieldError[]; token: string }) {
  return (
    <AuthLayout site={props.site} title="Set a new password" path="/reset-password" errors={props.errors}>
      <ErrorSummary errors={props.errors} />
      <PageHeading title="Set a new password" />
      <form method="post" action="/reset-password" novalidate class="stack">
        {tokenIsland(props.errors, props.token, 'Reset code from your email')}
        <TextField
          id="newPassword"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 12 characters. A few unrelated words make a strong password."
          errors={props.errors}
        />
        <button type="submit">Set password</button>
      </form>
      <p>
        Link expired? <a href="/forgot-password">Ask for a new one</a>
      </p>
    </AuthLayout>
  );
}

export function VerifyEmailPage(props: { site: SiteContext; errors: readonly FieldError[]; token: string }) {
  return (
    <AuthLayout site={props.site} title="Confirm your email address" path="/verify-email" errors={props.errors}>
      <ErrorSummary errors={props.errors} />
      <PageHeading title="Confirm your email address" />
      <form method="post" action="/verify-email" novalidate class="stack">
        {tokenIsland(props.errors, props.token, 'Confirmation code from your email')}
        <button type="submit">Confirm my email address</button>
      </form>
    </AuthLayout>
  );
}

export function EmailVerifiedPage(props: { site: SiteContext; signedIn: boolean; hasCart: boolean }) {
  const next = props.hasCart ? '/checkout' : '/account';
  return (
    <AuthLayout site={props.site} title="Email address confirmed" path="/verify-email">
      <PageHeading title="Email address confirmed" />
      <p class="notice ok" role="status">
        Thank you: your email address is confirmed.
      </p>
      <p>
        {props.signedIn ? (
          <a class="button" href={next}>
            {props.hasCart ? 'Carry on to checkout' : 'Go to your account'}
          </a>
        ) : (
          <a class="button" href={`/sign-in?next=${encodeURIComponent(next)}`}>
            {props.hasCart ? 'Sign in to carry on to checkout' : 'Sign in'}
          </a>
        )}
      </p>
    </AuthLayout>
  );
}
