//! The page rules in the axum layer and the actix-web middleware: a page
//! load whose session state is unknown is answered `307` to the Frontend
//! API; a resolved handshake's (or refresh's) cookies are appended to the
//! application's response, its own cookies kept; requests that cannot take
//! a redirect are answered as without the rules.

use std::sync::LazyLock;

use clerk_backend::auth::{Authenticator, VerifyOptions};
use serde_json::{Value, json};

#[path = "support/test_key.rs"]
mod test_key;
use test_key::TestKey;

static KEY: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_web"));

const PK_LIVE: &str = "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const PK_TEST: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const ISS: &str = "https://clerk.inspired.puma-74.lcl.dev";
const NOW: u64 = 1_700_000_000;

fn authenticator(pk: &str) -> Authenticator {
    let options = VerifyOptions::with_pem(&KEY.public_pem)
        .unwrap()
        .fixed_time(NOW);
    Authenticator::new(options).publishable_key(pk).unwrap()
}

fn session() -> String {
    KEY.sign(
        &json!({"sub": "user_1", "iss": ISS, "sid": "sess_1", "iat": NOW - 5, "exp": NOW + 60}),
    )
}

fn handshake_token() -> String {
    let directives: Vec<Value> = vec![
        json!(format!(
            "__session={}; Path=/; Secure; SameSite=Lax",
            session()
        )),
        json!(format!(
            "__client_uat={NOW}; Path=/; Secure; SameSite=Strict"
        )),
    ];
    KEY.sign_with_header(
        &json!({"alg": "RS256", "kid": "ins_web", "typ": "JWT"}),
        &json!({"handshake": directives}),
    )
}

fn expected_location() -> String {
    let version = clerk_backend::generated::CLERK_API_VERSION
        .map(|v| format!("&__clerk_api_version={v}"))
        .unwrap_or_default();
    format!(
        "{ISS}/v1/client/handshake?redirect_url=http%3A%2F%2Fexample.com%2Fpage{version}\
         &suffixed_cookies=false&__clerk_hs_reason=client-uat-but-no-session-token&format=nonce"
    )
}

mod axum_layer {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::get;
    use clerk_backend::axum::{ClerkLayer, MaybeSignedIn};
    use tower::ServiceExt as _;

    async fn page(MaybeSignedIn(claims): MaybeSignedIn) -> impl IntoResponse {
        let who = claims.map_or("signed out".to_owned(), |c| c.user_id().to_owned());
        ([(header::SET_COOKIE, "theme=dark; Path=/")], who)
    }

    fn app(auth: Authenticator) -> Router {
        Router::new()
            .route("/page", get(page))
            .layer(ClerkLayer::new(auth))
    }

    fn request(cookies: &str, dest: &str) -> Request<Body> {
        let mut req = Request::get("/page")
            .header("host", "example.com")
            .header("sec-fetch-dest", dest);
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies);
        }
        req.body(Body::empty()).unwrap()
    }

    async fn body(response: axum::response::Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn values(response: &axum::response::Response, name: header::HeaderName) -> Vec<String> {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn an_unknown_session_state_on_a_page_load_is_a_307_to_the_handshake() {
        let response = app(authenticator(PK_LIVE))
            .oneshot(request("__client_uat=12345", "document"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(values(&response, header::LOCATION), [expected_location()]);
        assert_eq!(values(&response, header::CACHE_CONTROL), ["no-store"]);
        assert_eq!(
            values(&response, header::SET_COOKIE),
            ["__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"]
        );
        assert_eq!(
            values(&response, "x-clerk-auth-reason".parse().unwrap()),
            ["client-uat-but-no-session-token"]
        );
    }

    #[tokio::test]
    async fn a_fetch_is_not_redirected() {
        let response = app(authenticator(PK_LIVE))
            .oneshot(request("__client_uat=12345", "empty"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            values(&response, header::SET_COOKIE),
            ["theme=dark; Path=/"]
        );
        assert_eq!(body(response).await, "signed out");
    }

    #[tokio::test]
    async fn a_resolved_handshake_adds_its_cookies_to_the_page() {
        let response = app(authenticator(PK_LIVE))
            .oneshot(request(
                &format!("__clerk_handshake={}", handshake_token()),
                "document",
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookies = values(&response, header::SET_COOKIE);
        assert_eq!(cookies.len(), 3, "{cookies:?}");
        assert_eq!(cookies[0], "theme=dark; Path=/");
        assert!(cookies[1].starts_with("__session="));
        assert!(cookies[2].starts_with("__client_uat="));
        assert_eq!(body(response).await, "user_1");
    }

    #[tokio::test]
    async fn a_development_handshake_redirects_to_the_clean_url_with_its_cookies() {
        let uri = format!("/page?__clerk_handshake={}", handshake_token());
        let req = Request::get(uri)
            .header("host", "example.com")
            .header("sec-fetch-dest", "document")
            .body(Body::empty())
            .unwrap();
        let response = app(authenticator(PK_TEST)).oneshot(req).await.unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            values(&response, header::LOCATION),
            ["http://example.com/page"]
        );
        assert_eq!(values(&response, header::SET_COOKIE).len(), 2);
    }

    #[tokio::test]
    async fn a_signed_in_page_is_served_as_it_is() {
        let cookies = format!("__client_uat=12345; __session={}", session());
        let response = app(authenticator(PK_LIVE))
            .oneshot(request(&cookies, "document"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            values(&response, header::SET_COOKIE),
            ["theme=dark; Path=/"]
        );
        assert_eq!(body(response).await, "user_1");
    }

    #[tokio::test]
    async fn require_auth_answers_signed_out_fetches_401_with_clerks_reason() {
        let app = Router::new()
            .route("/page", get(page))
            .layer(ClerkLayer::require_auth(authenticator(PK_LIVE)));
        let response = app
            .oneshot(request("__client_uat=12345", "empty"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = body(response).await;
        assert!(body.contains("client-uat-but-no-session-token"), "{body}");
    }
}

mod actix_middleware {
    use super::*;
    use actix_web::test::{self, TestRequest};
    use actix_web::{App, HttpResponse, web};
    use clerk_backend::actix::{ClerkMiddleware, MaybeSignedIn};

    async fn page(MaybeSignedIn(claims): MaybeSignedIn) -> HttpResponse {
        let who = claims.map_or("signed out".to_owned(), |c| c.user_id().to_owned());
        HttpResponse::Ok()
            .insert_header(("set-cookie", "theme=dark; Path=/"))
            .body(who)
    }

    fn values<B>(response: &actix_web::dev::ServiceResponse<B>, name: &str) -> Vec<String> {
        response
            .headers()
            .get_all(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[actix_web::test]
    async fn page_loads_redirect_and_resolved_cookies_are_appended() {
        let service = test::init_service(
            App::new()
                .wrap(ClerkMiddleware::new(authenticator(PK_LIVE)))
                .route("/page", web::get().to(page)),
        )
        .await;
        let req = TestRequest::get()
            .uri("/page")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"))
            .insert_header(("cookie", "__client_uat=12345"))
            .to_request();
        let response = test::call_service(&service, req).await;
        assert_eq!(response.status().as_u16(), 307);
        assert_eq!(values(&response, "location"), [expected_location()]);
        assert_eq!(values(&response, "cache-control"), ["no-store"]);

        let req = TestRequest::get()
            .uri("/page")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"))
            .insert_header(("cookie", format!("__clerk_handshake={}", handshake_token())))
            .to_request();
        let response = test::call_service(&service, req).await;
        assert_eq!(response.status().as_u16(), 200);
        let cookies = values(&response, "set-cookie");
        assert_eq!(cookies.len(), 3, "{cookies:?}");
        assert!(cookies.contains(&"theme=dark; Path=/".to_owned()));
        let body = test::read_body(response).await;
        assert_eq!(body, "user_1");

        // A fetch: no redirect.
        let req = TestRequest::get()
            .uri("/page")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "empty"))
            .insert_header(("cookie", "__client_uat=12345"))
            .to_request();
        let response = test::call_service(&service, req).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(test::read_body(response).await, "signed out");
    }
}
