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

use super::error::{VerifyError, echo};

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
const SESSION_TYPE: &str = "JWT";

/// The `typ` values of OAuth access tokens in JWT form.
const OAUTH_ACCESS_TOKEN_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// The prefix of machine IDs, the subject of M2M tokens.
const MACHINE_SUBJECT_PREFIX: &str = "mch_";

/// Checks the protected header's `cat` and `typ` for a session token.
///
/// Runs before any key lookup, so a token of another kind costs neither a
/// key-set fetch nor a signature check.
pub(crate) fn check_session_header(
    cat: Option<&str>,
    typ: Option<&str>,
) -> Result<(), VerifyError> {
    if let Some(cat) = cat
        && cat != CATEGORY_SESSION_TOKEN
        && cat != CATEGORY_IGNORE
    {
        return Err(VerifyError::NotASessionCategory { cat: echo(cat) });
    }
    match typ {
        None | Some(SESSION_TYPE) => Ok(()),
        Some(typ) if OAUTH_ACCESS_TOKEN_TYPES.contains(&typ) => {
            Err(VerifyError::OAuthAccessToken { typ: echo(typ) })
        }
        Some(typ) => Err(VerifyError::UnsupportedType { typ: echo(typ) }),
    }
}

/// Checks that the (verified) subject is not a machine.
pub(crate) fn check_session_subject(sub: &str) -> Result<(), VerifyError> {
    if sub.starts_with(MACHINE_SUBJECT_PREFIX) {
        return Err(VerifyError::MachineSubject { sub: echo(sub) });
    }
    Ok(())
}

/// What a category names, for error messages.
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
        for cat in [None, Some(CATEGORY_SESSION_TOKEN), Some(CATEGORY_IGNORE)] {
            assert_eq!(check_session_header(cat, None), Ok(()), "{cat:?}");
        }
        for cat in [CATEGORY_JWT_TEMPLATE, CATEGORY_M2M_TOKEN, "cl_new", ""] {
            assert_eq!(
                check_session_header(Some(cat), Some("JWT")),
                Err(VerifyError::NotASessionCategory { cat: cat.into() }),
            );
        }
    }

    #[test]
    fn types_that_may_be_sessions() {
        assert_eq!(check_session_header(None, Some("JWT")), Ok(()));
        for typ in ["at+jwt", "application/at+jwt"] {
            assert_eq!(
                check_session_header(None, Some(typ)),
                Err(VerifyError::OAuthAccessToken { typ: typ.into() })
            );
        }
        // Compared exactly, as Clerk's SDK does.
        for typ in ["jwt", "JWS", "", "AT+JWT"] {
            assert_eq!(
                check_session_header(None, Some(typ)),
                Err(VerifyError::UnsupportedType { typ: typ.into() })
            );
        }
    }

    #[test]
    fn machine_subjects_are_not_users() {
        assert!(check_session_subject("user_1").is_ok());
        assert!(check_session_subject("mch_1").is_err());
        assert!(check_session_subject("MCH_1").is_ok());
    }
}
