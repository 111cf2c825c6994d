//! Which kind of JWT a token is: a session token, or something else the
//! instance signed with the same key.
//!
//! One Clerk instance signs session tokens, JWT-template tokens (handed to
//! third parties such as a database service), M2M tokens and OAuth access
//! tokens, all with the same key. A valid signature therefore says nothing
//! about the kind: a third party holding a user's template token could
//! replay it as that user's session. Clerk marks the kind in the protected
//! header, and these checks read it the way Clerk's own backend SDK does:
//!
//! * `cat` (category): absent (tokens minted before categories existed),
//!   [`CATEGORY_SESSION_TOKEN`] or [`CATEGORY_IGNORE`] (stamped on every
//!   kind by instances that opted out of categories) may be a session;
//!   anything else is not, and is rejected before any key is looked up;
//! * `typ`, when present, must be `JWT`: OAuth access tokens say `at+jwt`
//!   (RFC 9068), and nothing else is a session token either;
//! * a subject starting with `mch_` is a machine (an M2M JWT), never a user.
//!
//! The checks themselves, with their errors, are in `jwt.rs`; this module
//! only knows the markers, for the session check here and the machine-token
//! checks to come.

/// `cat` of session tokens (and of handshake tokens).
pub const CATEGORY_SESSION_TOKEN: &str = "cl_B7d4PD111AAA";
/// `cat` of tokens made from a JWT template.
pub const CATEGORY_JWT_TEMPLATE: &str = "cl_B7d4PD222AAA";
/// `cat` of M2M tokens in JWT form.
pub const CATEGORY_M2M_TOKEN: &str = "cl_B7d4PD333AAA";
/// `cat` stamped on every kind by instances that do not use categories: it
/// carries no information, so it never rejects a token.
pub const CATEGORY_IGNORE: &str = "cl_I7d4PD111III";

/// The only `typ` a session token may carry (it may also carry none).
pub const SESSION_TOKEN_TYPE: &str = "JWT";

/// The `typ` values of OAuth access tokens in JWT form (RFC 9068).
pub const OAUTH_ACCESS_TOKEN_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// The prefix of machine IDs, the subject of M2M tokens.
pub const MACHINE_ID_PREFIX: &str = "mch_";

/// Whether a header `cat` allows a session token: the session category, or
/// the marker of instances without categories. (An absent `cat` allows it
/// too: tokens minted before categories have none.)
pub fn is_session_category(cat: &str) -> bool {
    cat == CATEGORY_SESSION_TOKEN || cat == CATEGORY_IGNORE
}

/// Whether a header `typ` marks an OAuth access token.
pub fn is_oauth_access_token_type(typ: &str) -> bool {
    OAUTH_ACCESS_TOKEN_TYPES.contains(&typ)
}

/// Whether a subject is a machine rather than a user.
pub fn is_machine_subject(sub: &str) -> bool {
    sub.starts_with(MACHINE_ID_PREFIX)
}

/// What a category that is not a session's names, for error messages.
pub(crate) fn describe_category(cat: &str) -> &'static str {
    match cat {
        CATEGORY_JWT_TEMPLATE => "a JWT-template token",
        CATEGORY_M2M_TOKEN => "an M2M token",
        _ => "an unknown kind of token",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_that_may_be_sessions() {
        assert!(is_session_category(CATEGORY_SESSION_TOKEN));
        assert!(is_session_category(CATEGORY_IGNORE));
        for cat in [CATEGORY_JWT_TEMPLATE, CATEGORY_M2M_TOKEN, "cl_new", ""] {
            assert!(!is_session_category(cat), "{cat}");
        }
        assert_eq!(describe_category(CATEGORY_M2M_TOKEN), "an M2M token");
        assert_eq!(describe_category("cl_new"), "an unknown kind of token");
    }

    #[test]
    fn oauth_types_are_compared_exactly() {
        assert!(is_oauth_access_token_type("at+jwt"));
        assert!(is_oauth_access_token_type("application/at+jwt"));
        for typ in ["AT+JWT", "JWT", "", "at+jwt "] {
            assert!(!is_oauth_access_token_type(typ), "{typ}");
        }
    }

    #[test]
    fn machine_subjects_are_not_users() {
        assert!(!is_machine_subject("user_1"));
        assert!(is_machine_subject("mch_1"));
        assert!(!is_machine_subject("MCH_1"));
    }
}
