//! Organization sync: URL patterns that name the organization (or the
//! personal account) a page is about, [`OrganizationSync`].

use std::borrow::Cow;
use std::fmt;

use reqwest::Url;

use crate::auth::claims::Claims;
use crate::auth::error::VerifyError;
use crate::auth::request::percent_decode;

/// URL patterns that say which organization a page belongs to, so that the
/// session's active organization follows the URL (Clerk's
/// `organizationSyncOptions`). A route setting: see
/// [`RouteOptions::organization_sync`](crate::auth::RouteOptions::organization_sync).
///
/// Patterns are paths in Clerk's syntax: `:id` (an organization ID) or
/// `:slug` (its slug) name one path segment, other `:name`s match a
/// segment, `(.*)` matches the rest; matching ignores case and one
/// trailing `/`. When a page's URL names another organization than the
/// session's active one, or a personal-account page is loaded while an
/// organization is active, the request goes through a handshake that
/// activates it (`active-organization-mismatch`).
///
/// ```
/// use clerk_backend::auth::OrganizationSync;
///
/// let sync = OrganizationSync::new()
///     .organization_patterns(["/orgs/:slug", "/orgs/:slug/(.*)"])?
///     .personal_account_patterns(["/me", "/me/(.*)"])?;
/// # Ok::<(), clerk_backend::auth::VerifyError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct OrganizationSync {
    organization: Vec<Pattern>,
    personal: Vec<Pattern>,
}

impl fmt::Debug for OrganizationSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sources = |p: &[Pattern]| p.iter().map(|p| p.source.clone()).collect::<Vec<_>>();
        f.debug_struct("OrganizationSync")
            .field("organization_patterns", &sources(&self.organization))
            .field("personal_account_patterns", &sources(&self.personal))
            .finish()
    }
}

/// What a URL asks to activate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrgTarget {
    Organization {
        id: Option<String>,
        slug: Option<String>,
    },
    PersonalAccount,
}

impl OrgTarget {
    /// The `organization_id` query parameter of the handshake (an ID or a
    /// slug; empty for the personal account).
    pub(crate) fn query_value(&self) -> &str {
        match self {
            OrgTarget::Organization { id, slug } => {
                slug.as_deref().or(id.as_deref()).unwrap_or_default()
            }
            OrgTarget::PersonalAccount => "",
        }
    }

    /// Whether the session's active organization differs from the target.
    pub(crate) fn differs_from(&self, claims: &Claims) -> bool {
        match self {
            OrgTarget::Organization { id, slug } => {
                slug.as_deref()
                    .is_some_and(|s| Some(s) != claims.org_slug())
                    || id.as_deref().is_some_and(|i| Some(i) != claims.org_id())
            }
            OrgTarget::PersonalAccount => claims.org_id().is_some(),
        }
    }
}

impl OrganizationSync {
    /// No patterns.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pages of an organization: each pattern names it by `:id` or `:slug`.
    ///
    /// # Errors
    /// [`VerifyError::InvalidConfig`] for a pattern that is not a path.
    pub fn organization_patterns<S: AsRef<str>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> Result<Self, VerifyError> {
        for p in patterns {
            self.organization.push(Pattern::parse(p.as_ref())?);
        }
        Ok(self)
    }

    /// Pages of the personal account.
    ///
    /// # Errors
    /// [`VerifyError::InvalidConfig`] for a pattern that is not a path.
    pub fn personal_account_patterns<S: AsRef<str>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> Result<Self, VerifyError> {
        for p in patterns {
            self.personal.push(Pattern::parse(p.as_ref())?);
        }
        Ok(self)
    }

    /// What `url` asks to activate: the first organization pattern that
    /// matches and names an `:id` (preferred) or `:slug`; else the personal
    /// account if one of its patterns matches.
    pub(crate) fn target(&self, url: &Url) -> Option<OrgTarget> {
        let path = url.path();
        for pattern in &self.organization {
            let Some(params) = pattern.matches(path) else {
                continue;
            };
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            };
            if let Some(id) = get("id") {
                return Some(OrgTarget::Organization {
                    id: Some(id),
                    slug: None,
                });
            }
            if let Some(slug) = get("slug") {
                return Some(OrgTarget::Organization {
                    id: None,
                    slug: Some(slug),
                });
            }
            tracing::warn!(
                pattern = %pattern.source,
                "an organization pattern matched but names neither :id nor :slug"
            );
            break;
        }
        self.personal
            .iter()
            .any(|p| p.matches(path).is_some())
            .then_some(OrgTarget::PersonalAccount)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Token {
    Literal(String),
    Param(String),
    Rest,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Pattern {
    source: String,
    tokens: Vec<Token>,
}

impl Pattern {
    fn parse(source: &str) -> Result<Pattern, VerifyError> {
        let invalid = |why: &str| {
            VerifyError::InvalidConfig(format!("organization sync pattern {source:?}: {why}"))
        };
        if !source.starts_with('/') {
            return Err(invalid("must start with /"));
        }
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("(.*)") {
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(Token::Rest);
                rest = after;
            } else if c == ':' {
                let name: String = rest[1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name.is_empty() {
                    return Err(invalid("a : without a parameter name"));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                rest = &rest[1 + name.len()..];
                tokens.push(Token::Param(name));
            } else if matches!(c, '(' | ')' | '*' | '?' | '+' | '{' | '}') {
                return Err(invalid("only :name parameters and (.*) are supported"));
            } else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        // Each `(.*)` multiplies the work of matching a long path: one is
        // what organization patterns need.
        if tokens.iter().filter(|t| **t == Token::Rest).count() > 1 {
            return Err(invalid("at most one (.*) is supported"));
        }
        Ok(Pattern {
            source: source.to_owned(),
            tokens,
        })
    }

    /// The parameters when `path` matches (whole, case-insensitive, one
    /// trailing `/` allowed).
    fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut params = Vec::new();
        if match_from(&self.tokens, path, &mut params) {
            return Some(params);
        }
        params.clear();
        let trimmed = path.strip_suffix('/')?;
        match_from(&self.tokens, trimmed, &mut params).then_some(params)
    }
}

fn match_from(tokens: &[Token], path: &str, params: &mut Vec<(String, String)>) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return path.is_empty();
    };
    match token {
        Token::Literal(text) => {
            let n = text.len();
            path.len() >= n
                && path.is_char_boundary(n)
                && path[..n].eq_ignore_ascii_case(text)
                && match_from(rest, &path[n..], params)
        }
        Token::Param(name) => {
            let segment_end = path.find('/').unwrap_or(path.len());
            // Longest first, as a greedy match would.
            for end in (1..=segment_end).rev() {
                if !path.is_char_boundary(end) {
                    continue;
                }
                let value: Cow<'_, str> = percent_decode(&path[..end]);
                params.push((name.clone(), value.into_owned()));
                if match_from(rest, &path[end..], params) {
                    return true;
                }
                params.pop();
            }
            false
        }
        Token::Rest => (0..=path.len())
            .rev()
            .filter(|&end| path.is_char_boundary(end))
            .any(|end| match_from(rest, &path[end..], params)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(org: &[&str], personal: &[&str], path: &str) -> Option<OrgTarget> {
        let sync = OrganizationSync::new()
            .organization_patterns(org)
            .unwrap()
            .personal_account_patterns(personal)
            .unwrap();
        sync.target(&Url::parse(&format!("http://localhost:3000{path}")).unwrap())
    }

    fn org_id(id: &str) -> Option<OrgTarget> {
        Some(OrgTarget::Organization {
            id: Some(id.into()),
            slug: None,
        })
    }

    fn org_slug(slug: &str) -> Option<OrgTarget> {
        Some(OrgTarget::Organization {
            id: None,
            slug: Some(slug.into()),
        })
    }

    /// The cases of Clerk's own table.
    #[test]
    fn targets_follow_clerks_table() {
        let recommended = ["/orgs/:id", "/orgs/:id/", "/orgs/:id/(.*)"];
        assert_eq!(target(&[], &[], "/orgs/org_foo"), None);
        assert_eq!(
            target(&["/orgs/:id"], &[], "/orgs/org_foo"),
            org_id("org_foo")
        );
        assert_eq!(
            target(&["/orgs/:id"], &[], "/personal-account/my-resource"),
            None
        );
        assert_eq!(
            target(&recommended, &[], "/orgs/org_foo"),
            org_id("org_foo")
        );
        assert_eq!(
            target(&recommended, &[], "/orgs/org_foo/"),
            org_id("org_foo")
        );
        assert_eq!(
            target(&recommended, &[], "/orgs/org_foo/nested-resource"),
            org_id("org_foo")
        );
        assert_eq!(
            target(
                &["/orgs/:id/(.*)"],
                &[],
                "/orgs/org_foo/nested-resource/and/more"
            ),
            org_id("org_foo")
        );
        assert_eq!(
            target(
                &["/unknown-thing/:any/orgs/:id"],
                &[],
                "/unknown-thing/thing/orgs/org_foo"
            ),
            org_id("org_foo")
        );
        assert_eq!(
            target(&["/orgs/:slug"], &[], "/orgs/my-org"),
            org_slug("my-org")
        );
        assert_eq!(
            target(&[], &["/personal-account"], "/personal-account"),
            Some(OrgTarget::PersonalAccount)
        );
        assert_eq!(
            target(&["/orgs/:id", "/orgs/:slug"], &[], "/orgs/my-org"),
            org_id("my-org")
        );
        assert_eq!(
            target(&["/orgs/:slug"], &["/", "/(.*)"], "/orgs/my-org"),
            org_slug("my-org")
        );
        assert_eq!(
            target(&[], &["/user/:any", "/user/:any/(.*)"], "/user/123/home"),
            Some(OrgTarget::PersonalAccount)
        );
        let all = [
            "/orgs-by-id/:id",
            "/orgs-by-id/:id/(.*)",
            "/orgs-by-slug/:slug",
            "/orgs-by-slug/:slug/(.*)",
        ];
        assert_eq!(
            target(
                &all,
                &["/personal-account", "/personal-account/(.*)"],
                "/orgs-by-slug/org_bar/sub-resource"
            ),
            org_slug("org_bar")
        );
    }

    #[test]
    fn params_are_decoded_and_literals_ignore_case() {
        assert_eq!(
            target(&["/orgs/:slug"], &[], "/ORGS/my%20org"),
            org_slug("my org")
        );
        // A parameter is one segment.
        assert_eq!(target(&["/orgs/:slug"], &[], "/orgs/a/b"), None);
    }

    #[test]
    fn unsupported_patterns_are_configuration_errors() {
        for bad in [
            "orgs/:id",
            "/orgs/:",
            "/orgs/:id?",
            "/orgs/(\\d+)",
            "/(.*)/x/(.*)",
        ] {
            assert!(
                OrganizationSync::new()
                    .organization_patterns([bad])
                    .is_err(),
                "{bad}"
            );
        }
    }
}
