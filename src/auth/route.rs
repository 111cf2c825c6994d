//! Route settings: [`RouteOptions`], what one route (or group of routes)
//! accepts.

use std::sync::Arc;

use super::page::OrganizationSync;
use super::token_type::{TokenType, TokenTypes};

/// What a route accepts: which [`TokenType`]s (default: session tokens
/// only), and for pages, which URLs name an organization
/// ([`organization_sync`](Self::organization_sync)). Instance-wide settings are the
/// [`Authenticator`](super::Authenticator)'s; these are per route.
///
/// A token of a kind the route does not accept is signed out with
/// [`SignedOutReason::TokenTypeMismatch`](super::SignedOutReason::TokenTypeMismatch)
/// before anything is verified (Clerk's `token-type-mismatch`), whichever
/// way round: a machine token where only sessions are accepted, or a
/// session token where only machines are.
///
/// ```
/// use clerk_backend::auth::{RouteOptions, TokenType};
///
/// assert!(RouteOptions::default().accepts(TokenType::SessionToken));
/// assert!(!RouteOptions::default().accepts(TokenType::ApiKey));
///
/// let webhooks_api = RouteOptions::accepting([TokenType::ApiKey, TokenType::M2mToken]);
/// assert!(!webhooks_api.accepts(TokenType::SessionToken));
/// assert!(RouteOptions::any().accepts(TokenType::OAuthToken));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteOptions {
    accepts: TokenTypes,
    organizations: Option<Arc<OrganizationSync>>,
}

impl Default for RouteOptions {
    /// Session tokens only.
    fn default() -> Self {
        Self::session()
    }
}

impl RouteOptions {
    /// Session tokens only (the default).
    pub fn session() -> Self {
        Self::accepting([TokenType::SessionToken])
    }

    /// Machine tokens of every kind (API keys, M2M tokens, OAuth access
    /// tokens), no session tokens.
    pub fn machine() -> Self {
        Self::accepting(TokenType::MACHINE)
    }

    /// Every kind of token.
    pub fn any() -> Self {
        Self::accepting(TokenType::ALL)
    }

    /// Exactly these kinds (none: every token is refused).
    pub fn accepting(types: impl IntoIterator<Item = TokenType>) -> Self {
        RouteOptions {
            accepts: TokenTypes::of(types),
            organizations: None,
        }
    }

    /// Whether the route accepts `token_type`.
    pub fn accepts(&self, token_type: TokenType) -> bool {
        self.accepts.contains(token_type)
    }

    /// The kinds the route accepts.
    pub fn accepted(&self) -> impl Iterator<Item = TokenType> + use<> {
        self.accepts.iter()
    }

    /// The organization patterns of the route's pages
    /// ([`Authenticator::authenticate_request`](super::Authenticator::authenticate_request)
    /// activates the organization a page's URL names).
    #[must_use]
    pub fn organization_sync(mut self, sync: OrganizationSync) -> Self {
        self.organizations = Some(Arc::new(sync));
        self
    }

    /// The route's organization patterns, if any.
    pub fn organizations(&self) -> Option<&OrganizationSync> {
        self.organizations.as_deref()
    }

    /// Whether the route accepts session tokens and nothing else: the fast
    /// path, where no token is sorted.
    pub(crate) fn is_session_only(&self) -> bool {
        self.accepts == Self::session().accepts
    }
}
