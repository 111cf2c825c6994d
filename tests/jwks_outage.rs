//! The JWKS cache while Clerk's API is down: stale keys within the grace
//! period, failing closed on 401/403 and unknown `kid`s, backoff instead of
//! waiting on a dead API, and recovery.
//!
//! The key server here is a tiny local HTTP server that can go down in each
//! way an API can (an error status, refused or reset connections, a request
//! that is never answered); the cache's clock is injected, so TTL, grace
//! period and backoff are driven by the tests, not waited for. Wall-clock
//! time is only measured against generous bounds (a few fetch timeouts
//! where fifty would be the failure).

use std::cell::RefCell;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use clerk_backend::auth::{JwksCache, VerifyError, VerifyOptions, verify_token};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

#[path = "support/test_key.rs"]
mod test_key;
use test_key::TestKey;

// Key generation is slow in debug builds: once per test binary.
static KEY_A: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_key_a"));
static KEY_B: LazyLock<TestKey> = LazyLock::new(|| TestKey::generate("ins_key_b"));
// Signed once: signing is slow in debug builds, and tasks busy signing
// would starve the key server of the CPU the timing tests measure.
static TOKEN_A: LazyLock<String> = LazyLock::new(|| KEY_A.sign(&claims()));
/// Names `KEY_B`, which the first key set does not have.
static TOKEN_B: LazyLock<String> = LazyLock::new(|| KEY_B.sign(&claims()));

const NOW: u64 = 1_700_000_000;
const SECRET: &str = "sk_test_outage_secret_value";
/// The cache's TTL in these tests, in (injected) seconds.
const TTL: u64 = 100;
/// A fetch timeout short enough to hit often, long enough for a local
/// server to answer on a loaded machine.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
/// A fetch timeout no test waits for: a verification that waited on the
/// network would be obvious.
const LONG_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests one failed fetch makes when Clerk is failing (429, 503, a
/// reset or a timeout): auth's hot-path policy tries twice. A 401 or 403
/// is not retried, and refused connections never reach the server.
const ATTEMPTS: usize = 2;

fn claims() -> Value {
    json!({
        "sub": "user_123",
        "iss": "https://clerk.example.com",
        "exp": NOW + 60,
        "iat": NOW - 1,
        "nbf": NOW - 11,
        "sid": "sess_456",
    })
}

fn jwks(keys: &[&TestKey]) -> String {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() }).to_string()
}

// ---------------------------------------------------------------------------
// A key server that can go down
// ---------------------------------------------------------------------------

/// How the key server treats the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// 200 with the key set.
    Up,
    /// This status, with a JSON error body.
    Status(u16),
    /// Reads the request, then resets the connection (TCP RST).
    Reset,
    /// Reads the request and never answers.
    Hang,
    /// Not listening: connections are refused.
    Refused,
}

/// The server's port: listening, or bound without listening (so that
/// connections are refused and no other socket can take the port).
enum Port {
    Listening(JoinHandle<()>),
    Closed(TcpSocket),
}

struct Shared {
    mode: Mutex<Mode>,
    body: Mutex<String>,
    /// Connections accepted: fetch attempts that reached the server.
    hits: AtomicUsize,
}

struct KeyServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    port: Mutex<Option<Port>>,
}

impl KeyServer {
    async fn start(keys: &[&TestKey]) -> KeyServer {
        let socket = bound_socket("127.0.0.1:0".parse().unwrap());
        let addr = socket.local_addr().unwrap();
        let shared = Arc::new(Shared {
            mode: Mutex::new(Mode::Up),
            body: Mutex::new(jwks(keys)),
            hits: AtomicUsize::new(0),
        });
        let server = KeyServer {
            addr,
            shared,
            port: Mutex::new(Some(Port::Closed(socket))),
        };
        server.set(Mode::Up).await;
        server
    }

    fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }

    fn serve_keys(&self, keys: &[&TestKey]) {
        *self.shared.body.lock().unwrap() = jwks(keys);
    }

    /// Switches the mode; `Refused` stops listening, any other mode
    /// listens again on the same port.
    async fn set(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
        let port = self.port.lock().unwrap().take().unwrap();
        let port = match (port, mode) {
            (Port::Listening(task), Mode::Refused) => {
                task.abort();
                let _ = task.await; // the listener is dropped
                Port::Closed(bound_socket(self.addr))
            }
            (Port::Closed(socket), mode) if mode != Mode::Refused => {
                let listener = socket.listen(64).unwrap();
                let shared = self.shared.clone();
                Port::Listening(tokio::spawn(async move {
                    while let Ok((socket, _)) = listener.accept().await {
                        tokio::spawn(handle(socket, shared.clone()));
                    }
                }))
            }
            (port, _) => port,
        };
        *self.port.lock().unwrap() = Some(port);
    }
}

fn bound_socket(addr: SocketAddr) -> TcpSocket {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket
}

async fn handle(mut socket: TcpStream, shared: Arc<Shared>) {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    if !read_request_head(&mut socket).await {
        return;
    }
    let mode = *shared.mode.lock().unwrap();
    match mode {
        Mode::Up => {
            let body = shared.body.lock().unwrap().clone();
            respond(&mut socket, 200, &body).await;
        }
        Mode::Status(status) => respond(&mut socket, status, r#"{"errors":[]}"#).await,
        Mode::Reset | Mode::Refused => {
            // Linger 0 (deprecated only for blocking on drop, which 0 does
            // not): the drop sends a reset.
            #[allow(deprecated)]
            let _ = socket.set_linger(Some(Duration::ZERO));
        }
        Mode::Hang => {
            // Until the client gives up and closes the connection.
            let mut byte = [0u8; 1];
            let _ = socket.read(&mut byte).await;
        }
    }
}

async fn read_request_head(socket: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

async fn respond(socket: &mut TcpStream, status: u16, body: &str) {
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

// ---------------------------------------------------------------------------
// The cache under test
// ---------------------------------------------------------------------------

/// A controllable clock for the cache.
#[derive(Clone, Default)]
struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

/// A key server with `KEY_A`, a cache (TTL 100 s, injected clock) that has
/// fetched it once, and options verifying with it.
struct Setup {
    server: KeyServer,
    clock: ManualClock,
    cache: JwksCache,
    options: VerifyOptions,
}

async fn setup(timeout: Duration, configure: impl FnOnce(JwksCache) -> JwksCache) -> Setup {
    let server = KeyServer::start(&[&KEY_A]).await;
    let clock = ManualClock::default();
    let time = clock.0.clone();
    let cache = JwksCache::new(server.url(), SECRET, reqwest::Client::new())
        .with_ttl(Duration::from_secs(TTL))
        .with_fetch_timeout(timeout);
    let cache = configure(cache).with_clock(move || time.load(Ordering::SeqCst));
    let options = VerifyOptions::with_jwks(cache.clone()).fixed_time(NOW);
    let setup = Setup {
        server,
        clock,
        cache,
        options,
    };
    setup.verify(&TOKEN_A).await.unwrap();
    assert_eq!(setup.server.hits(), 1);
    setup
}

impl Setup {
    async fn verify(&self, token: &str) -> Result<(), VerifyError> {
        verify_token(token, &self.options)
            .await
            .map(|claims| assert_eq!(claims.user_id(), "user_123"))
    }

    /// Takes the API down with `mode` and lets the TTL pass; the first
    /// verification then tries (and fails) to refetch.
    async fn outage_past_ttl(&self, mode: Mode) {
        self.server.set(mode).await;
        self.clock.advance(TTL);
    }
}

fn assert_key_fetch(result: Result<(), VerifyError>) {
    match result {
        Err(error @ VerifyError::KeyFetch(_)) => {
            assert!(error.is_server_error());
            assert!(!format!("{error} {error:?}").contains(SECRET));
        }
        other => panic!("expected a KeyFetch error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Stale keys while the API cannot be reached
// ---------------------------------------------------------------------------

/// After the TTL, with the API down in `mode`: the held keys still verify,
/// the cache says it is stale, and verifications during the backoff make
/// no requests.
async fn stale_keys_verify_while(mode: Mode) {
    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.outage_past_ttl(mode).await;
    assert!(
        !s.cache.is_stale(),
        "past the TTL, but no refetch failed yet"
    );

    s.verify(&TOKEN_A).await.unwrap();
    assert!(s.cache.is_stale());
    let requests = if mode == Mode::Refused {
        1
    } else {
        1 + ATTEMPTS
    };
    assert_eq!(s.server.hits(), requests, "one failed refetch");
    for _ in 0..10 {
        s.verify(&TOKEN_A).await.unwrap();
    }
    assert_eq!(s.server.hits(), requests, "no requests during the backoff");
    assert!(format!("{:?}", s.cache).contains("stale: true"));
}

#[tokio::test]
async fn stale_keys_verify_while_the_api_answers_503() {
    stale_keys_verify_while(Mode::Status(503)).await;
}

#[tokio::test]
async fn stale_keys_verify_while_the_api_answers_429() {
    stale_keys_verify_while(Mode::Status(429)).await;
}

#[tokio::test]
async fn stale_keys_verify_while_connections_are_refused() {
    stale_keys_verify_while(Mode::Refused).await;
}

#[tokio::test]
async fn stale_keys_verify_while_connections_are_reset() {
    stale_keys_verify_while(Mode::Reset).await;
}

#[tokio::test]
async fn stale_keys_verify_while_the_api_hangs() {
    stale_keys_verify_while(Mode::Hang).await;
}

#[tokio::test]
async fn stale_keys_are_used_until_the_grace_period_ends() {
    let s = setup(SHORT_TIMEOUT, |c| {
        c.with_stale_if_error(Duration::from_secs(1000))
    })
    .await;
    s.outage_past_ttl(Mode::Status(503)).await;
    s.verify(&TOKEN_A).await.unwrap();
    s.clock.advance(999); // 1099 s after the fetch: the last stale second
    s.verify(&TOKEN_A).await.unwrap();
    assert!(s.cache.is_stale());

    s.clock.advance(1); // TTL + grace: no more
    assert!(!s.cache.is_stale());
    assert_key_fetch(s.verify(&TOKEN_A).await);
    // Also while backing off, without a request.
    let hits = s.server.hits();
    assert_key_fetch(s.verify(&TOKEN_A).await);
    assert_eq!(s.server.hits(), hits);
}

#[tokio::test]
async fn stale_if_error_zero_turns_stale_keys_off() {
    let s = setup(SHORT_TIMEOUT, |c| c.with_stale_if_error(Duration::ZERO)).await;
    s.outage_past_ttl(Mode::Status(503)).await;
    assert_key_fetch(s.verify(&TOKEN_A).await);
    assert!(!s.cache.is_stale());
    assert_eq!(s.server.hits(), 1 + ATTEMPTS);
}

// ---------------------------------------------------------------------------
// Failing closed
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_401_or_403_never_serves_stale_keys() {
    for status in [401, 403] {
        let s = setup(SHORT_TIMEOUT, |c| c).await;
        s.outage_past_ttl(Mode::Status(status)).await;
        let result = s.verify(&TOKEN_A).await;
        let message = format!("{result:?}");
        assert!(message.contains("check the secret key"), "{message}");
        assert_key_fetch(result);
        assert!(!s.cache.is_stale());
        assert_eq!(s.server.hits(), 2);
        // During the backoff: the same error, at once, without a request.
        assert_key_fetch(s.verify(&TOKEN_A).await);
        assert_eq!(s.server.hits(), 2);
        // An outage after the 401 does not bring the stale keys back.
        s.server.set(Mode::Status(503)).await;
        s.clock.advance(5);
        assert_key_fetch(s.verify(&TOKEN_A).await);
        assert_eq!(s.server.hits(), 2 + ATTEMPTS);
        assert!(!s.cache.is_stale());
    }
}

#[tokio::test]
async fn an_unknown_kid_fails_fast_with_stale_keys() {
    let s = setup(LONG_TIMEOUT, |c| c).await;
    s.outage_past_ttl(Mode::Status(503)).await;
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), 1 + ATTEMPTS);

    // The API now hangs: any verification waiting on it would take 30 s.
    s.server.set(Mode::Hang).await;
    let start = Instant::now();
    for _ in 0..10 {
        assert_key_fetch(s.verify(&TOKEN_B).await);
    }
    assert!(start.elapsed() < LONG_TIMEOUT / 10, "{:?}", start.elapsed());
    assert_eq!(
        s.server.hits(),
        1 + ATTEMPTS,
        "no request for an unknown kid"
    );
    s.verify(&TOKEN_A).await.unwrap();
}

#[tokio::test]
async fn an_unknown_kid_is_a_server_error_while_the_api_is_down() {
    // The set is fresh; the token names a key it does not have.
    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.server.set(Mode::Status(503)).await;
    assert_key_fetch(s.verify(&TOKEN_B).await); // not UnknownKey: a 503, not a 401
    assert_eq!(s.server.hits(), 1 + ATTEMPTS);
    assert_key_fetch(s.verify(&TOKEN_B).await);
    assert_eq!(s.server.hits(), 1 + ATTEMPTS, "backing off");
    s.verify(&TOKEN_A).await.unwrap();

    // Once the API is back and the unknown-kid window has passed, the
    // rotated key is fetched.
    s.server.serve_keys(&[&KEY_A, &KEY_B]);
    s.server.set(Mode::Up).await;
    s.clock.advance(60);
    s.verify(&TOKEN_B).await.unwrap();
    assert_eq!(s.server.hits(), 2 + ATTEMPTS);
}

// ---------------------------------------------------------------------------
// No waiting on a dead API
// ---------------------------------------------------------------------------

#[tokio::test]
async fn fifty_verifications_against_a_hanging_api_take_about_one_fetch_timeout() {
    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.outage_past_ttl(Mode::Hang).await;
    let start = Instant::now();
    for _ in 0..50 {
        s.verify(&TOKEN_A).await.unwrap();
    }
    let elapsed = start.elapsed();
    // The first one waited for the fetch timeout, twice; fifty would be
    // 30 s.
    assert!(elapsed >= SHORT_TIMEOUT, "{elapsed:?}");
    assert!(elapsed < 5 * SHORT_TIMEOUT, "{elapsed:?}");
    assert_eq!(s.server.hits(), 1 + ATTEMPTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_verifications_against_a_hanging_api_share_one_timeout() {
    let s = Arc::new(setup(SHORT_TIMEOUT, |c| c).await);
    s.outage_past_ttl(Mode::Hang).await;
    let start = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.verify(&TOKEN_A).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let elapsed = start.elapsed();
    assert!(elapsed >= SHORT_TIMEOUT, "{elapsed:?}");
    assert!(elapsed < 5 * SHORT_TIMEOUT, "{elapsed:?}");
    assert_eq!(s.server.hits(), 1 + ATTEMPTS, "one fetch for all fifty");
}

#[tokio::test]
async fn without_keys_an_outage_fails_fast_after_one_timeout() {
    let server = KeyServer::start(&[&KEY_A]).await;
    server.set(Mode::Hang).await;
    let clock = ManualClock::default();
    let time = clock.0.clone();
    let cache = JwksCache::new(server.url(), SECRET, reqwest::Client::new())
        .with_fetch_timeout(SHORT_TIMEOUT)
        .with_clock(move || time.load(Ordering::SeqCst));
    let options = VerifyOptions::with_jwks(cache.clone()).fixed_time(NOW);
    let start = Instant::now();
    for _ in 0..20 {
        let result = verify_token(&TOKEN_A, &options).await.map(|_| ());
        assert_key_fetch(result);
    }
    let elapsed = start.elapsed();
    assert!(elapsed < 5 * SHORT_TIMEOUT, "{elapsed:?}");
    assert_eq!(server.hits(), ATTEMPTS);
    assert!(!cache.is_stale());

    // Back up: the next attempt after the backoff fetches.
    server.set(Mode::Up).await;
    clock.advance(5);
    verify_token(&TOKEN_A, &options).await.unwrap();
    assert_eq!(server.hits(), ATTEMPTS + 1);
}

#[tokio::test]
async fn failed_fetches_back_off_from_five_seconds_to_five_minutes() {
    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.outage_past_ttl(Mode::Status(503)).await;
    s.verify(&TOKEN_A).await.unwrap();
    let mut hits = 1 + ATTEMPTS;
    assert_eq!(s.server.hits(), hits);

    // Each wait is its nominal length minus up to a fifth of jitter:
    // [4, 5] s, then [8, 10] s, then [16, 20] s.
    for (too_early, due) in [(3, 5), (7, 10), (15, 20)] {
        s.clock.advance(too_early);
        s.verify(&TOKEN_A).await.unwrap();
        assert_eq!(s.server.hits(), hits, "{too_early} s after a failure");
        s.clock.advance(due - too_early);
        s.verify(&TOKEN_A).await.unwrap();
        hits += ATTEMPTS;
        assert_eq!(s.server.hits(), hits, "{due} s after a failure");
    }
    // Doubling up to five minutes: one attempt per five minutes...
    for _ in 0..6 {
        s.clock.advance(300);
        s.verify(&TOKEN_A).await.unwrap();
        hits += ATTEMPTS;
        assert_eq!(s.server.hits(), hits);
    }
    // ...and never sooner than four.
    s.clock.advance(239);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), hits);
    assert!(s.cache.is_stale());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_in_flight_does_not_hold_up_other_verifications() {
    let s = Arc::new(setup(LONG_TIMEOUT, |c| c).await);
    s.outage_past_ttl(Mode::Status(503)).await;
    s.verify(&TOKEN_A).await.unwrap(); // the outage is known
    s.server.set(Mode::Hang).await;
    s.clock.advance(5); // the backoff has passed: the next one retries

    let retry = {
        let s = s.clone();
        tokio::spawn(async move { s.verify(&TOKEN_A).await })
    };
    let in_flight = async {
        // The retry's first attempt hangs past the policy's budget: no
        // second attempt.
        while s.server.hits() < 2 + ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("the retry reaches the server");
    // The retry hangs (for 30 s); others answer from the stale keys.
    for _ in 0..20 {
        s.verify(&TOKEN_A).await.unwrap();
        assert_key_fetch(s.verify(&TOKEN_B).await);
    }
    assert!(
        !retry.is_finished(),
        "the others did not wait for the retry"
    );
    assert_eq!(s.server.hits(), 2 + ATTEMPTS);
    retry.abort();
}

// ---------------------------------------------------------------------------
// Recovery and visibility
// ---------------------------------------------------------------------------

#[tokio::test]
async fn after_recovery_one_refetch_makes_the_cache_fresh() {
    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.outage_past_ttl(Mode::Refused).await;
    s.verify(&TOKEN_A).await.unwrap();
    assert!(s.cache.is_stale());
    assert_eq!(s.server.hits(), 1);

    // Back, with a rotated set.
    s.server.serve_keys(&[&KEY_A, &KEY_B]);
    s.server.set(Mode::Up).await;
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), 1, "still backing off");
    s.clock.advance(5);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), 2);
    assert!(!s.cache.is_stale());
    assert_eq!(s.cache.cached_kids(), ["ins_key_a", "ins_key_b"]);
    s.verify(&TOKEN_B).await.unwrap();

    // Fresh for a whole TTL from the recovery fetch.
    s.clock.advance(TTL - 1);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), 2);
    s.clock.advance(1);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(s.server.hits(), 3);
}

thread_local! {
    /// What the subscriber wrote on this thread.
    static CAPTURED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes to this thread's [`CAPTURED`].
struct ThreadCapture;

impl Write for ThreadCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED.with(|c| c.borrow_mut().push_str(&String::from_utf8_lossy(buf)));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once, a global subscriber that captures warnings per thread.
/// Global rather than `set_default`: a scoped subscriber races with the
/// callsite interest cache while other tests run on other threads.
fn capture_warnings() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(|| ThreadCapture)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    CAPTURED.with(|c| c.borrow_mut().clear());
}

fn captured() -> String {
    CAPTURED.with(|c| c.borrow().clone())
}

// A current-thread runtime: the cache logs on this test's thread.
#[tokio::test]
async fn stale_keys_are_logged_at_most_once_a_minute() {
    capture_warnings();
    let count = || {
        captured()
            .matches("verifying session tokens with a stale JWKS")
            .count()
    };

    let s = setup(SHORT_TIMEOUT, |c| c).await;
    s.outage_past_ttl(Mode::Status(503)).await;
    for _ in 0..10 {
        s.verify(&TOKEN_A).await.unwrap();
    }
    assert_eq!(count(), 1);
    s.clock.advance(59);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(count(), 1);
    s.clock.advance(1);
    s.verify(&TOKEN_A).await.unwrap();
    assert_eq!(count(), 2);

    let out = captured();
    assert!(out.contains("fetching the JWKS failed"), "{out}");
    assert!(out.contains("503"), "{out}");
    assert!(!out.contains(SECRET), "the secret key leaked:\n{out}");
}
