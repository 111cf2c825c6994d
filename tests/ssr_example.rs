//! `examples/ssr.rs` end to end against `clerk_backend::testing::FakeClerk`,
//! following every redirect as a browser does: an expired session cookie
//! goes through the handshake (the app, the fake Frontend API, the app
//! resolving the nonce through the fake Backend API) and the page renders
//! signed in; a browser that never signed in ends signed out; a browser
//! signed in at Clerk but new to the app is signed in on its first visit.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use clerk_backend::testing::{FakeClerk, SignedIn};
use reqwest::Url;

#[allow(dead_code)]
#[path = "../examples/ssr.rs"]
mod example;

/// A small browser: cookies per origin (name -> value; attributes other
/// than an expiry are ignored), redirects followed by hand.
#[derive(Default)]
struct Browser {
    jars: BTreeMap<String, BTreeMap<String, String>>,
}

/// One response on the way: status, URL, and Clerk's reason header.
#[derive(Debug)]
struct Hop {
    status: u16,
    url: String,
    reason: Option<String>,
}

impl Browser {
    fn set(&mut self, origin: &str, name: &str, value: &str) {
        self.jars
            .entry(origin.to_owned())
            .or_default()
            .insert(name.to_owned(), value.to_owned());
    }

    fn get(&self, origin: &str, name: &str) -> Option<&String> {
        self.jars.get(origin).and_then(|jar| jar.get(name))
    }

    fn store(&mut self, origin: &str, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        let expired = parts.any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        let jar = self.jars.entry(origin.to_owned()).or_default();
        if expired || value.is_empty() {
            jar.remove(name.trim());
        } else {
            jar.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }

    /// Loads `url` as a page (`sec-fetch-dest: document`), following
    /// redirects; the hops and the final body.
    async fn open(&mut self, url: &str) -> (Vec<Hop>, String) {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut url = Url::parse(url).unwrap();
        let mut hops = Vec::new();
        for _ in 0..10 {
            let origin = url.origin().ascii_serialization();
            let mut request = http.get(url.clone()).header("sec-fetch-dest", "document");
            if let Some(jar) = self.jars.get(&origin) {
                let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
                request = request.header("cookie", cookies.join("; "));
            }
            let response = request.send().await.unwrap();
            for value in response.headers().get_all("set-cookie") {
                self.store(&origin, value.to_str().unwrap());
            }
            let status = response.status().as_u16();
            hops.push(Hop {
                status,
                url: url.to_string(),
                reason: response
                    .headers()
                    .get("x-clerk-auth-reason")
                    .map(|v| v.to_str().unwrap().to_owned()),
            });
            if status == 307 {
                let location = response.headers()["location"].to_str().unwrap();
                url = url.join(location).unwrap();
                continue;
            }
            return (hops, response.text().await.unwrap());
        }
        panic!("too many redirects: {hops:#?}");
    }
}

async fn serve(fake: &FakeClerk) -> String {
    let app = example::app(fake.page_authenticator(), Some(fake.client()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn ada(fake: &FakeClerk) -> String {
    let user = fake
        .client()
        .create_user()
        .body_map(|b| {
            b.email_address(vec!["ada@example.com".to_string()])
                .first_name("Ada".to_string())
        })
        .send()
        .await
        .unwrap();
    user.id.clone()
}

/// A browser that signed in ten minutes ago and has been idle since: its
/// session cookie has expired, its `__client_uat` is from then, and it has
/// a development browser. Returns the browser and that old session.
fn idle_browser(fake: &FakeClerk, user_id: &str, base: &str) -> (Browser, SignedIn) {
    let issued = SystemTime::now() - Duration::from_secs(600);
    let old = fake.session(user_id).issued_at(issued).sign_in();
    let uat = issued
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut browser = Browser::default();
    browser.set(base, "__session", &old.token);
    browser.set(base, "__client_uat", &uat);
    browser.set(base, "__clerk_db_jwt", "dvb_test");
    (browser, old)
}

fn statuses(hops: &[Hop]) -> Vec<u16> {
    hops.iter().map(|h| h.status).collect()
}

#[tokio::test]
async fn an_expired_session_cookie_goes_through_the_handshake_and_renders_signed_in() {
    let fake = FakeClerk::start().await;
    let user_id = ada(&fake).await;
    let base = serve(&fake).await;
    // The browser signed in ten minutes ago and has been idle since.
    let (mut browser, old) = idle_browser(&fake, &user_id, &base);

    let (hops, body) = browser.open(&format!("{base}/")).await;
    assert_eq!(body, "<h1>Hello, Ada</h1>", "{hops:#?}");
    // The app, the fake Frontend API, the app resolving the nonce (a
    // development instance: back to the clean URL), the page.
    assert_eq!(statuses(&hops), [307, 307, 307, 200], "{hops:#?}");
    assert_eq!(
        hops[0].reason.as_deref(),
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie")
    );
    assert!(
        hops[1].url.starts_with(&fake.frontend_api_url()),
        "{hops:#?}"
    );
    assert!(
        hops[2].url.contains("__clerk_handshake_nonce="),
        "{hops:#?}"
    );
    assert_eq!(hops[3].url, format!("{base}/"));
    // The app exchanged the nonce once, and fetched the user.
    assert_eq!(fake.requests_of("GetHandshakePayload").len(), 1);
    // The browser now holds a fresh session for the same session ID.
    let fresh = browser.get(&base, "__session").unwrap().clone();
    assert_ne!(fresh, old.token);
    let claims = clerk_backend::auth::verify_token(&fresh, &fake.verify_options())
        .await
        .unwrap();
    assert_eq!(claims.session_id(), Some(old.session_id.as_str()));

    // The next load is served at once.
    let (hops, body) = browser.open(&format!("{base}/")).await;
    assert_eq!(statuses(&hops), [200]);
    assert_eq!(body, "<h1>Hello, Ada</h1>");
}

#[tokio::test]
async fn a_browser_that_never_signed_in_ends_signed_out() {
    let fake = FakeClerk::start().await;
    let base = serve(&fake).await;
    let mut browser = Browser::default();
    let (hops, body) = browser.open(&format!("{base}/?tab=1")).await;
    assert_eq!(body, "<h1>You are signed out</h1>");
    // The first visit of a development instance syncs the dev browser.
    assert_eq!(statuses(&hops), [307, 307, 307, 200], "{hops:#?}");
    assert_eq!(hops[0].reason.as_deref(), Some("dev-browser-missing"));
    assert_eq!(hops[3].url, format!("{base}/?tab=1"));
    assert_eq!(
        hops[3].reason.as_deref(),
        Some("session-token-and-uat-missing")
    );
    assert_eq!(
        browser.get(&base, "__client_uat").map(String::as_str),
        Some("0")
    );
    assert!(browser.get(&base, "__clerk_db_jwt").is_some());
    // And stays so without redirects.
    let (hops, _) = browser.open(&format!("{base}/")).await;
    assert_eq!(statuses(&hops), [200]);
}

#[tokio::test]
async fn a_browser_signed_in_at_clerk_is_signed_in_on_its_first_visit() {
    let fake = FakeClerk::start().await;
    let user_id = ada(&fake).await;
    let base = serve(&fake).await;
    let session = fake.session(&user_id).sign_in();
    let mut browser = Browser::default();
    // Clerk knows this browser (its cookie on the Frontend API's origin).
    let fapi = Url::parse(&fake.frontend_api_url())
        .unwrap()
        .origin()
        .ascii_serialization();
    let cookie = fake.frontend_api_cookie(&session.session_id);
    let (name, value) = cookie.split_once('=').unwrap();
    browser.set(&fapi, name, value);

    let (hops, body) = browser.open(&format!("{base}/")).await;
    assert_eq!(body, "<h1>Hello, Ada</h1>", "{hops:#?}");
    assert_eq!(statuses(&hops), [307, 307, 307, 200]);
}

/// Organization sync through the loop: a page under `/orgs/{slug}` makes
/// that organization the session's active one.
#[tokio::test]
async fn an_organization_page_activates_its_organization_through_the_handshake() {
    use axum::Router;
    use axum::routing::get;
    use clerk_backend::auth::{OrganizationSync, RouteOptions};
    use clerk_backend::axum::{ClerkAuth, ClerkLayer};

    let fake = FakeClerk::start().await;
    let user_id = ada(&fake).await;
    fake.client()
        .create_organization()
        .body_map(|b| b.name("Acme".to_string()).created_by(user_id.clone()))
        .send()
        .await
        .unwrap();
    let sync = OrganizationSync::new()
        .organization_patterns(["/orgs/:slug"])
        .unwrap();
    let app = Router::new()
        .route(
            "/orgs/{slug}",
            get(|ClerkAuth(claims): ClerkAuth| async move {
                format!("org {}", claims.org_slug().unwrap_or("none"))
            }),
        )
        .layer(
            ClerkLayer::new(fake.page_authenticator())
                .accepting(RouteOptions::session().organization_sync(sync)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Signed in, no active organization.
    let session = fake.session(&user_id).sign_in();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 1;
    let mut browser = Browser::default();
    browser.set(&base, "__session", &session.token);
    browser.set(&base, "__client_uat", &now.to_string());
    browser.set(&base, "__clerk_db_jwt", "dvb_test");

    let (hops, body) = browser.open(&format!("{base}/orgs/acme")).await;
    assert_eq!(body, "org acme", "{hops:#?}");
    assert_eq!(statuses(&hops), [307, 307, 307, 200]);
    assert_eq!(
        hops[0].reason.as_deref(),
        Some("active-organization-mismatch")
    );
    assert!(hops[1].url.contains("organization_id=acme"), "{hops:#?}");
    // An organization the user is not in cannot be activated: after the
    // loop guard, the page gets the session as it is.
    let (hops, body) = browser.open(&format!("{base}/orgs/other")).await;
    assert_eq!(body, "org none", "{hops:#?}");
}

/// A refresh cookie (as the handshake leaves one): an expired session is
/// refreshed in place through the Backend API, without a redirect.
#[tokio::test]
async fn an_expired_session_with_a_refresh_cookie_is_refreshed_without_a_redirect() {
    let fake = FakeClerk::start().await;
    let user_id = ada(&fake).await;
    let base = serve(&fake).await;
    let (mut browser, old) = idle_browser(&fake, &user_id, &base);
    let uat = browser.get(&base, "__client_uat").unwrap().clone();
    let refresh = fake.refresh_cookie(&old.session_id);
    let (name, value) = refresh.split_once('=').unwrap();
    browser.set(&base, name, value);

    let (hops, body) = browser.open(&format!("{base}/")).await;
    assert_eq!(statuses(&hops), [200], "{hops:#?}");
    assert_eq!(body, "<h1>Hello, Ada</h1>");
    let refreshes = fake.requests_of("RefreshSession");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(refreshes[0].status, Some(200));
    let body = refreshes[0].body.clone().unwrap();
    assert_eq!(body["format"], "cookie");
    assert_eq!(body["refresh_token"], value);
    let fresh = browser.get(&base, "__session").unwrap().clone();
    assert_ne!(fresh, old.token);

    // A refresh token Clerk does not know: back to the handshake, saying
    // why.
    browser.set(&base, "__session", &old.token);
    browser.set(&base, "__client_uat", &uat);
    browser.set(&base, name, "rt_unknown");
    let (hops, body) = browser.open(&format!("{base}/")).await;
    assert_eq!(
        hops[0].reason.as_deref(),
        Some("session-token-expired-refresh-refresh_token_invalid"),
        "{hops:#?}"
    );
    assert_eq!(body, "<h1>Hello, Ada</h1>");
}
