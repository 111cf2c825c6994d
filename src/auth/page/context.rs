//! The request, parsed once: [`Context`], everything the page rules read
//! of a request (its URL as the browser sees it, the headers, the cookies
//! of this instance, suffixed or not, the query).

use std::collections::HashMap;

use http::header::{ACCEPT, COOKIE, HOST, REFERER};
use http::{HeaderMap, Method, Uri};
use reqwest::Url;
use serde::Deserialize;

use super::instance::{Frontend, MultiDomain};
use crate::auth::jwt::unverified_payload;
use crate::auth::request::{bearer_token, percent_decode};

/// Cookie and query names Clerk uses.
pub(crate) mod names {
    pub(crate) const SESSION: &str = "__session";
    pub(crate) const CLIENT_UAT: &str = "__client_uat";
    pub(crate) const REFRESH: &str = "__refresh";
    pub(crate) const DEV_BROWSER: &str = "__clerk_db_jwt";
    pub(crate) const LEGACY_DEV_BROWSER: &str = "__dev_session";
    pub(crate) const HANDSHAKE: &str = "__clerk_handshake";
    pub(crate) const HANDSHAKE_NONCE: &str = "__clerk_handshake_nonce";
    pub(crate) const HANDSHAKE_HELP: &str = "__clerk_help";
    pub(crate) const REDIRECT_COUNT: &str = "__clerk_redirect_count";
    pub(crate) const SYNCED: &str = "__clerk_synced";
    pub(crate) const REDIRECT_URL: &str = "__clerk_redirect_url";
}

/// The request as the page rules see it. No `Debug`: it holds the
/// request's tokens.
#[derive(Clone)]
pub(crate) struct Context {
    pub(crate) is_get: bool,
    /// The URL the browser asked for, rebuilt from `x-forwarded-proto` /
    /// `x-forwarded-host` when a proxy sent them.
    pub(crate) clerk_url: Url,
    pub(crate) accept: Option<String>,
    pub(crate) sec_fetch_dest: Option<String>,
    pub(crate) referrer: Option<String>,
    pub(crate) token_in_header: Option<String>,
    pub(crate) session_in_cookie: Option<String>,
    /// Only the suffixed `__refresh_<suffix>` cookie counts.
    pub(crate) refresh_in_cookie: Option<String>,
    /// `__client_uat` as JavaScript's `parseInt` reads it, 0 when absent.
    pub(crate) client_uat: i64,
    pub(crate) dev_browser: Option<String>,
    pub(crate) handshake_token: Option<String>,
    pub(crate) handshake_nonce: Option<String>,
    pub(crate) redirect_count: u32,
    pub(crate) suffixed: bool,
    pub(crate) development: bool,
    /// The Frontend API host of the publishable key.
    pub(crate) original_frontend_api: String,
    /// Where the handshake goes: the proxy URL (absolute), `clerk.<domain>`
    /// for a production satellite, else the key's Frontend API host.
    pub(crate) frontend_api: String,
}

/// The claims the cookie rules read before verifying.
#[derive(Deserialize, Default)]
pub(crate) struct Peek {
    #[serde(default)]
    pub(crate) iss: Option<String>,
    #[serde(default)]
    pub(crate) iat: Option<f64>,
    #[serde(default)]
    pub(crate) exp: Option<f64>,
    #[serde(default)]
    pub(crate) sid: Option<String>,
}

pub(crate) fn peek(token: &str) -> Option<Peek> {
    unverified_payload(token)
}

impl Context {
    /// Parses the request once. `now` (Unix seconds) only decides whether a
    /// suffixed session cookie has expired when choosing between suffixed
    /// and plain cookies.
    pub(crate) fn parse(
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        frontend: &Frontend,
        multi: &MultiDomain,
        now: u64,
    ) -> Context {
        let clerk_url = clerk_url(uri, headers);
        let cookies = Cookies::parse(headers);
        let query = first_query_values(&clerk_url);
        let header = |name: http::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
        };
        let suffix = &frontend.cookie_suffix;
        let suffixed = uses_suffixed_cookies(&cookies, suffix, frontend, now);
        let pick = |name: &str| {
            if suffixed {
                cookies.get(&format!("{name}_{suffix}"))
            } else {
                cookies.get(name)
            }
        };
        let session_in_cookie = pick(names::SESSION);
        let client_uat = pick(names::CLIENT_UAT).map_or(0, |v| parse_int(&v));
        let dev_browser = query
            .get(names::DEV_BROWSER)
            .cloned()
            .filter(|v| !v.is_empty())
            .or_else(|| pick(names::DEV_BROWSER));
        let handshake_token = query
            .get(names::HANDSHAKE)
            .cloned()
            .filter(|v| !v.is_empty())
            .or_else(|| cookies.get(names::HANDSHAKE));
        let handshake_nonce = query
            .get(names::HANDSHAKE_NONCE)
            .cloned()
            .filter(|v| !v.is_empty())
            .or_else(|| cookies.get(names::HANDSHAKE_NONCE));
        let redirect_count = cookies
            .get(names::REDIRECT_COUNT)
            .map_or(0, |v| u32::try_from(parse_int(&v)).unwrap_or(0));
        let frontend_api = frontend_api_for(frontend, multi, &clerk_url);
        Context {
            is_get: method == Method::GET,
            accept: header(ACCEPT),
            sec_fetch_dest: header(http::HeaderName::from_static("sec-fetch-dest")),
            referrer: header(REFERER),
            token_in_header: bearer_token(headers).map(str::to_owned),
            refresh_in_cookie: cookies.get(&format!("{}_{suffix}", names::REFRESH)),
            session_in_cookie,
            client_uat,
            dev_browser,
            handshake_token,
            handshake_nonce,
            redirect_count,
            suffixed,
            development: frontend.development,
            original_frontend_api: frontend.frontend_api.clone(),
            frontend_api,
            clerk_url,
        }
    }

    /// The session token the request carried: the cookie's, else the
    /// header's.
    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_in_cookie
            .as_deref()
            .or(self.token_in_header.as_deref())
    }

    /// The first value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        self.clerk_url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The request's origin (`https://app.example.com`).
    pub(crate) fn origin(&self) -> String {
        self.clerk_url.origin().ascii_serialization()
    }

    /// A page load the browser can be redirected from: `sec-fetch-dest`
    /// `document` or `iframe`, or, from browsers that send no
    /// `sec-fetch-dest`, one that accepts `text/html` first.
    pub(crate) fn is_eligible_for_handshake(&self) -> bool {
        match self.sec_fetch_dest.as_deref() {
            Some("document" | "iframe") => true,
            Some(_) => false,
            None => self
                .accept
                .as_deref()
                .is_some_and(|a| a.starts_with("text/html")),
        }
    }

    /// Whether `referer` names another origin than this request's.
    pub(crate) fn is_cross_origin_referrer(&self) -> bool {
        let Some(referrer) = self.referrer.as_deref() else {
            return false;
        };
        Url::parse(referrer).is_ok_and(|r| r.origin() != self.clerk_url.origin())
    }

    /// Whether `referer` is one of Clerk's own pages: the Frontend API, an
    /// Account Portal (`accounts.*`, `*.accounts.dev`, `accounts.*.lcl.dev`).
    pub(crate) fn is_known_clerk_referrer(&self) -> bool {
        let Some(url) = self.referrer.as_deref().and_then(|r| Url::parse(r).ok()) else {
            return false;
        };
        let Some(host) = url.host_str() else {
            return false;
        };
        let fapi_host = Url::parse(&self.frontend_api)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| self.frontend_api.clone());
        host == fapi_host
            || host == self.original_frontend_api
            || host.starts_with("accounts.")
            || host.ends_with(".accounts.dev")
            || accounts_host(&self.original_frontend_api).as_deref() == Some(host)
    }
}

/// The Account Portal host of a Frontend API host (`clerk.example.com` ->
/// `accounts.example.com`; `x-y-1.clerk.accounts.dev` ->
/// `x-y-1.accounts.dev`).
fn accounts_host(frontend_api: &str) -> Option<String> {
    if let Some(rest) = frontend_api.strip_suffix(".clerk.accounts.dev") {
        return Some(format!("{rest}.accounts.dev"));
    }
    frontend_api
        .strip_prefix("clerk.")
        .map(|rest| format!("accounts.{rest}"))
}

/// The Frontend API the handshake goes to.
fn frontend_api_for(frontend: &Frontend, multi: &MultiDomain, clerk_url: &Url) -> String {
    if let Some(proxy) = multi.proxy_url.as_deref() {
        if proxy.starts_with("http://") || proxy.starts_with("https://") {
            return proxy.to_owned();
        }
        // A relative proxy URL is on the request's own origin.
        if let Ok(url) = clerk_url.join(proxy) {
            return url.to_string();
        }
    }
    match multi.domain.as_deref() {
        Some(domain) if multi.satellite && !frontend.development => {
            let domain = domain
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            format!("clerk.{domain}")
        }
        _ => frontend.frontend_api.clone(),
    }
}

/// The URL the browser asked for: the request's path and query on the
/// origin a proxy names (`x-forwarded-proto`, `x-forwarded-host`, first
/// values), else the `Host` header, else the URI's own; `http` when nothing
/// names the scheme.
pub(crate) fn clerk_url(uri: &Uri, headers: &HeaderMap) -> Url {
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let host = first("x-forwarded-host")
        .or_else(|| {
            headers
                .get(HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
        .unwrap_or_else(|| "localhost".to_owned());
    let proto = first("x-forwarded-proto")
        .or_else(|| uri.scheme_str().map(str::to_owned))
        .unwrap_or_else(|| "http".to_owned());
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let path = if path.starts_with('/') { path } else { "/" };
    Url::parse(&format!("{proto}://{host}{path}"))
        .or_else(|_| Url::parse(&format!("http://localhost{path}")))
        .unwrap_or_else(|_| Url::parse("http://localhost/").expect("a valid URL"))
}

/// The first value of each query parameter (as `URLSearchParams.get`).
fn first_query_values(url: &Url) -> HashMap<String, String> {
    let mut values = HashMap::new();
    for (name, value) in url.query_pairs() {
        values
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    values
}

/// Request headers by name, repeated values joined with `, ` (as the Fetch
/// API's `Headers` joins them); values that are not text are left out.
pub(crate) fn joined_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for name in headers.keys() {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if !values.is_empty() {
            out.push((name.as_str().to_owned(), values.join(", ")));
        }
    }
    out
}

/// The request's cookies by name: the first occurrence of each name wins
/// (as the `cookie` parser Clerk uses), values unquoted and
/// percent-decoded.
#[derive(Debug, Default)]
pub(crate) struct Cookies(HashMap<String, String>);

impl Cookies {
    pub(crate) fn parse(headers: &HeaderMap) -> Cookies {
        let mut map = HashMap::new();
        let pairs = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'));
        for pair in pairs {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            map.entry(name.trim().to_owned())
                .or_insert_with(|| percent_decode(value).into_owned());
        }
        Cookies(map)
    }

    /// A cookie's value; empty counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|v| !v.is_empty()).cloned()
    }
}

/// JavaScript's `parseInt(value, 10) || 0`: leading blanks, a sign, then
/// the leading digits; 0 when there are none.
pub(crate) fn parse_int(value: &str) -> i64 {
    let value = value.trim_start();
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let number = digits[..end]
        .parse::<i64>()
        .unwrap_or(if end > 0 { i64::MAX } else { 0 });
    if negative { -number } else { number }
}

/// Clerk's choice between the suffixed cookies (`__session_<suffix>`,
/// `__client_uat_<suffix>`) and the plain ones, which another app on the
/// same domain may have written. Both may be present while an application
/// migrates from SDKs without suffixes; the plain ones win when they are
/// newer, the suffixed ones when the plain session belongs to another
/// instance.
fn uses_suffixed_cookies(cookies: &Cookies, suffix: &str, frontend: &Frontend, now: u64) -> bool {
    let suffixed_uat = cookies.get(&format!("{}_{suffix}", names::CLIENT_UAT));
    let uat = cookies.get(names::CLIENT_UAT);
    let suffixed_session = cookies.get(&format!("{}_{suffix}", names::SESSION));
    let session = cookies.get(names::SESSION);
    let session_peek = session.as_deref().and_then(peek);
    if session.is_some() {
        let issuer = session_peek.as_ref().and_then(|p| p.iss.as_deref());
        // A plain session cookie that is not a token of any instance: read
        // the plain cookies (and sign out) rather than loop through
        // handshakes.
        let Some(issuer) = issuer.filter(|iss| !iss.is_empty()) else {
            return false;
        };
        // A plain session cookie of another instance: ours are suffixed.
        let host = issuer
            .strip_prefix("https://")
            .or_else(|| issuer.strip_prefix("http://"))
            .unwrap_or(issuer);
        if host != frontend.frontend_api {
            return true;
        }
    }
    if suffixed_uat.is_none() && suffixed_session.is_none() {
        return false;
    }
    let suffixed_peek = suffixed_session.as_deref().and_then(peek);
    let iat = |p: &Option<Peek>| p.as_ref().and_then(|p| p.iat).unwrap_or(0.0);
    let is_zero = |v: &Option<String>| v.as_deref() == Some("0");
    // Both signed in, the plain session newer: trust it.
    if !is_zero(&suffixed_uat) && !is_zero(&uat) && iat(&session_peek) > iat(&suffixed_peek) {
        return false;
    }
    // Suffixed signed out, plain signed in: the plain one is newer.
    if is_zero(&suffixed_uat) && !is_zero(&uat) {
        return false;
    }
    // Development instances: clerk.js (not the Frontend API) writes the
    // suffixed uat, so an expired suffixed session with a signed-out plain
    // uat means an older clerk.js took over.
    if frontend.development {
        let expired = suffixed_peek
            .as_ref()
            .is_some_and(|p| p.exp.unwrap_or(0.0) <= now as f64);
        if !is_zero(&suffixed_uat) && is_zero(&uat) && expired {
            return false;
        }
    }
    // A suffixed session without a suffixed uat: the instance has suffixes
    // turned off.
    if suffixed_uat.is_none() && suffixed_session.is_some() {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_reads_like_javascript() {
        for (text, n) in [
            ("12345", 12345),
            ("  42abc", 42),
            ("-5", -5),
            ("+7", 7),
            ("", 0),
            ("abc", 0),
            ("0", 0),
            ("99999999999999999999999", i64::MAX),
        ] {
            assert_eq!(parse_int(text), n, "{text:?}");
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn the_url_is_rebuilt_from_forwarded_headers() {
        let uri: Uri = "/path?a=1".parse().unwrap();
        let url = clerk_url(&uri, &headers(&[("host", "example.com")]));
        assert_eq!(url.as_str(), "http://example.com/path?a=1");
        let url = clerk_url(
            &uri,
            &headers(&[
                ("host", "internal:8080"),
                ("x-forwarded-host", "app.example.com, proxy.internal"),
                ("x-forwarded-proto", "https,http"),
            ]),
        );
        assert_eq!(url.as_str(), "https://app.example.com/path?a=1");
        let absolute: Uri = "https://direct.example.com/x".parse().unwrap();
        assert_eq!(
            clerk_url(&absolute, &HeaderMap::new()).as_str(),
            "https://direct.example.com/x"
        );
        // A host that is not a host: a harmless placeholder, no panic.
        let url = clerk_url(&uri, &headers(&[("host", "bad host^")]));
        assert_eq!(url.as_str(), "http://localhost/path?a=1");
    }

    #[test]
    fn cookies_first_occurrence_wins_and_values_are_decoded() {
        let cookies = Cookies::parse(&headers(&[
            ("cookie", "a=1; b=\"x%2Ey\"; a=2"),
            ("cookie", "c=; d"),
        ]));
        assert_eq!(cookies.get("a").as_deref(), Some("1"));
        assert_eq!(cookies.get("b").as_deref(), Some("x.y"));
        assert_eq!(cookies.get("c"), None);
        assert_eq!(cookies.get("d"), None);
    }
}
