//! `examples/axum.rs` end to end through `clerk_backend::testing::FakeClerk`:
//! a signed-in request reaches a handler that fetches the user from the
//! (fake) Backend API; an expired token gets 401 without reaching it.

use std::time::{Duration, SystemTime};

use clerk_backend::testing::FakeClerk;
use serde_json::Value;

#[allow(dead_code)]
#[path = "../examples/axum.rs"]
mod example;

/// `GET /api/profile` with `token` as bearer token, if any: status and body.
async fn get_profile(base: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{base}/api/profile"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Serves the example's app, verifying with and calling `fake`; returns
/// its base URL.
async fn serve(fake: &FakeClerk) -> String {
    let app = example::app(fake.verify_options(), None, Some(fake.client()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn the_example_app_runs_against_the_fake() {
    let fake = FakeClerk::start().await;
    let user = fake
        .client()
        .create_user()
        .body_map(|b| {
            b.email_address(vec!["ada@example.com".to_string()])
                .first_name("Ada".to_string())
                .last_name("Lovelace".to_string())
        })
        .send()
        .await
        .unwrap();
    let user_id = user.id.clone();
    let base = serve(&fake).await;
    let http = reqwest::Client::new();
    fake.clear_requests();

    // Signed in: the handler fetches the user from the Backend API.
    let token = fake.sign_in(&user_id);
    let (status, body) = get_profile(&base, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let profile: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(profile["id"], user_id.as_str());
    assert_eq!(profile["email"], "ada@example.com");
    assert_eq!(profile["first_name"], "Ada");
    let fetched = fake.requests_of("GetUser");
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].path, format!("/v1/users/{user_id}"));

    // The same token as the `__session` cookie, on the claims route.
    let response = http
        .get(format!("{base}/api/me"))
        .header("cookie", format!("__session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let claims: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(claims["sub"], user_id.as_str());

    // Expired, or none: 401, and the Backend API is not called.
    let expired = fake
        .session(&user_id)
        .issued_at(SystemTime::now() - Duration::from_secs(600))
        .sign_in()
        .token;
    for token in [Some(expired.as_str()), None] {
        let (status, body) = get_profile(&base, token).await;
        assert_eq!(status, 401, "{body}");
    }
    assert_eq!(fake.requests_of("GetUser").len(), 1);

    // A user deleted in Clerk: the handler's lookup gets Clerk's 404.
    fake.client()
        .delete_user()
        .user_id(&user_id)
        .send()
        .await
        .unwrap();
    let (status, body) = get_profile(&base, Some(&token)).await;
    assert_eq!(status, 404, "{body}");
}
