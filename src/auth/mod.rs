//! Authenticating requests: networkless verification of Clerk session
//! tokens, and machine tokens (API keys, M2M tokens, OAuth access tokens).
//!
//! Clerk's frontend SDKs send a short-lived session token (an RS256 JWT,
//! valid for about a minute) with each request, as `Authorization: Bearer
//! <token>` or in the `__session` cookie. [`verify_token`] checks it
//! locally, without a Backend API round trip per request, and returns its
//! typed [`Claims`]; [`authenticate_request`] does the same from a request's
//! headers and returns an [`AuthState`].
//!
//! # Settings, three ways
//!
//! * **Token checks**, [`VerifyOptions`]: where keys come from, the issuer,
//!   the authorized parties, the clock and its skew.
//! * **The instance**, [`Authenticator`]: the checks, the Backend API
//!   [`Client`](crate::Client) opaque machine tokens are verified with, the
//!   machine secret key, a machine-token cache. Set once.
//! * **The route**, [`RouteOptions`]: which [`TokenType`]s it accepts
//!   (session tokens only by default).
//!
//! [`Authenticator::authenticate`] takes a request's headers and a route's
//! options and returns an [`AuthState`]: `SignedIn` (a session),
//! `Machine` (a [`MachineAuth`]) or `SignedOut` with a [`SignedOutReason`].
//!
//! # Server-rendered pages
//!
//! [`Authenticator::authenticate_request`] takes a whole request (method,
//! URI, headers) and applies Clerk's request rules for pages, as Clerk's
//! backend SDK does: with the instance's publishable key it reads the
//! session cookies (suffixed or not) and `__client_uat`, sends a page load
//! whose session state is unknown through Clerk's handshake, resolves the
//! handshake when the browser comes back, refreshes an expired session in
//! place, and handles the dev browser, satellites and organization URLs
//! ([`OrganizationSync`]). It returns a [`RequestState`]: an
//! [`AuthStatus`], Clerk's [`AuthReason`], the headers the response must
//! carry and the [`AuthState`]. The axum layer and the actix-web middleware
//! apply it by themselves when the authenticator has the publishable key.
//!
//! # Machine tokens
//!
//! A token is sorted by kind before anything is verified: by prefix
//! (`ak_` API key, `mt_` M2M, `oat_` OAuth), else, for a JWT, by its header
//! (`typ` `at+jwt`: OAuth) and subject (`mch_...`: M2M). A kind the route
//! does not accept is refused at once ([`SignedOutReason::TokenTypeMismatch`]),
//! either way round. Opaque tokens are verified by their Backend API
//! endpoint; M2M JWTs (whose `cat` must be absent or `cl_B7d4PD333AAA`) and
//! OAuth JWTs with the instance's keys, networkless. Failures are
//! [`MachineError`]s with Clerk's codes; Clerk being unreachable is a
//! server-side failure, never "signed out". Cookies are never read for
//! machine tokens.
//!
//! Inside, one job per module: `checks` (token checks), `clock`, `jwt`
//! (splitting, sorting the kind, key lookup, signature), `session` (session
//! claims), `machine` (machine tokens), `page` (the page rules), `route`,
//! `authenticator` (the instance), `backend` (the Backend API calls auth
//! makes, over `Client`), `jwks` and `key` (keys).
//!
//! # Keys
//!
//! * [`KeySource::Jwks`]: the instance's JSON Web Key Set, fetched from
//!   `GET {api_url}/jwks` with the secret key and cached by a [`JwksCache`]
//!   (see [its module docs](jwks) for the caching rules).
//! * [`KeySource::Pem`]: the dashboard's "JWT public key"
//!   (`CLERK_JWT_KEY`), with no network access at all.
//!
//! # Security choices
//!
//! Several Clerk SDKs shipped fixes in this area; this module does not
//! repeat those mistakes, and every check is on by default:
//!
//! * **Algorithm pinned to RS256.** The header's `alg` is checked before any
//!   key is used: `none`, `HS256` (e.g. signed with the public key as an HMAC
//!   secret), `RS384`/`RS512` (Clerk signs with RS256 only) and everything
//!   else are rejected as [`VerifyError::UnsupportedAlgorithm`]. Keys are never taken from the
//!   token (`jku`, `jwk`, `x5u` are ignored), and tokens with `crit`
//!   extensions are rejected.
//! * **Issuer checked.** `iss` must be an `https://` URL and, when the
//!   instance's Frontend API URL is known ([`VerifyOptions::issuer`], or
//!   decoded from the publishable key by
//!   [`VerifyOptions::publishable_key`] / `CLERK_PUBLISHABLE_KEY`), equal
//!   to it.
//! * **Per-instance key cache** with a TTL that cache hits never extend,
//!   single-flight refresh, and a rate limit on refetches triggered by
//!   unknown `kid`s. While Clerk's API cannot be reached, the keys already
//!   held keep verifying for a bounded grace period (never after a 401/403),
//!   and failed fetches back off instead of holding up requests.
//! * **Time claims** `exp` (required), `nbf` and `iat` are checked against
//!   an injectable clock with a small skew (default 5 s).
//! * **Only session tokens sign in.** One instance signs session tokens, JWT-template
//!   tokens (handed to third parties), M2M tokens and OAuth access tokens
//!   with the same key, so a valid signature does not make a session. The
//!   header's `cat` must be absent, `cl_B7d4PD111AAA` (session) or
//!   `cl_I7d4PD111III` (instances without categories): a template
//!   (`cl_B7d4PD222AAA`), M2M (`cl_B7d4PD333AAA`) or unknown category is
//!   rejected before any key lookup ([`VerifyError::NotASessionCategory`]).
//!   `typ`, when present, must be `JWT` (`at+jwt` is an OAuth access token:
//!   [`VerifyError::OAuthAccessToken`]; others
//!   [`VerifyError::UnsupportedType`]), and a `sub` of `mch_...` is a machine
//!   ([`VerifyError::MachineSubject`]). These are Clerk's own rules.
//! * **Authorized parties.** With [`VerifyOptions::authorized_parties`] set,
//!   a token whose `azp` is another origin is rejected, and so is a token
//!   *without* `azp`: omitting the claim must not bypass the check (Clerk's
//!   SDKs changed to this in 2026). With no parties configured, `azp` is not
//!   checked.
//! * **No secrets in output.** The secret key is redacted from every
//!   `Debug` output, log line and error; errors never contain the token.
//!
//! Verification with cached keys costs about one RSA signature check (ring,
//! the TLS crypto provider): the keys are decoded once when fetched, and the
//! claim checks are a few comparisons.
//!
//! # Example
//!
//! ```no_run
//! use clerk_backend::auth::{authenticate_request, AuthState, VerifyOptions};
//!
//! # async fn run(headers: http::HeaderMap) -> Result<(), clerk_backend::auth::VerifyError> {
//! // Once, at startup (CLERK_JWT_KEY or CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY):
//! let options = VerifyOptions::from_env()?.authorized_parties(["https://app.example.com"]);
//!
//! // Per request:
//! if let AuthState::SignedIn(claims) = authenticate_request(&headers, &options).await {
//!     println!("user {} (org {:?})", claims.user_id(), claims.org_id());
//! }
//! # Ok(()) }
//! ```

mod authenticator;
pub(crate) mod backend;
mod checks;
mod claims;
mod clock;
mod error;
pub mod jwks;
pub(crate) mod jwt;
mod key;
pub mod kind;
mod machine;
pub(crate) mod page;
mod request;
mod route;
mod session;
mod token_type;

pub use crate::env::{
    API_URL_ENV, DEFAULT_API_URL, DOMAIN_ENV, IS_SATELLITE_ENV, JWT_KEY_ENV,
    MACHINE_SECRET_KEY_ENV, PROXY_URL_ENV, PUBLISHABLE_KEY_ENV, SECRET_KEY_ENV, SIGN_IN_URL_ENV,
};
pub use authenticator::Authenticator;
pub use checks::{
    DEFAULT_CLOCK_SKEW, KeySource, PemKey, VerifyOptions, issuer_from_publishable_key,
};
pub use claims::{Actor, Claims, OrgClaims};
pub use clock::Clock;
pub use error::VerifyError;
pub use jwks::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_JWKS_TTL, DEFAULT_STALE_IF_ERROR,
    DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL, JwksCache,
};
pub use machine::{MAX_MACHINE_CACHE_TTL, MachineAuth, MachineError};
pub use page::{
    AUTH_REASON_HEADER, AUTH_STATUS_HEADER, AuthReason, AuthStatus, ExpiredRefresh,
    OrganizationSync, RefreshError, RequestState, TokenReason,
};
pub use request::{
    AuthState, SESSION_COOKIE, SignedOutReason, authenticate_request, session_token,
};
pub use route::RouteOptions;
pub use session::verify_token;
pub use token_type::{API_KEY_PREFIX, M2M_TOKEN_PREFIX, OAUTH_TOKEN_PREFIX, TokenType};
