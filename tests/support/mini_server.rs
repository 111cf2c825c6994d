//! A minimal HTTP/1.1 server on 127.0.0.1 for tests and examples that need
//! what httpmock does not offer: a scripted sequence of responses to one
//! route, or responses computed from the request, and network faults (a
//! connection closed before the response, a body cut short or reset). One
//! request per connection (`Connection: close`).

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
}

impl Request {
    /// The value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then_some(v)
        })
    }
}

/// A response: status, extra headers, JSON body, and how it is delivered.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delivery: Delivery,
}

/// How a response reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In full.
    Whole,
    /// Not at all: the connection is closed after the request is read.
    CloseBeforeResponse,
    /// The head, with the full `content-length`, then half the body, then a
    /// clean close.
    CutShort,
    /// The head and half the body, then a TCP reset.
    ResetMidBody,
}

impl Response {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            delivery: Delivery::Whole,
        }
    }

    /// One page of a list of `total` items, as Clerk pages: `offset` and
    /// `limit` (default 10) from the request's query, items made by `item`.
    /// A `starting_after` cursor starts after the item it names: item `n`'s
    /// id must end in `_<n>` (`user_00042`), so the page can find it.
    pub fn page(req: &Request, total: u64, item: impl Fn(u64) -> String) -> Self {
        let number = |name: &str, default: u64| {
            req.query(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let after = match req.query("starting_after") {
            None => 0,
            Some(id) => match id.rsplit('_').next().and_then(|n| n.parse::<u64>().ok()) {
                Some(n) => n + 1,
                None => return Self::json(422, r#"{"errors":[{"code":"bad_cursor"}]}"#),
            },
        };
        let (offset, limit) = (number("offset", 0), number("limit", 10));
        let offset = offset + after;
        let items: Vec<String> = (offset..total.min(offset + limit)).map(item).collect();
        Self::json(200, format!("[{}]", items.join(",")))
    }

    pub fn delivered(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A running server: its base URL and how many requests it has answered.
pub struct Server {
    pub url: String,
    hits: Arc<AtomicUsize>,
}

impl Server {
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serve every request with `respond` (called with the request and its
/// 0-based index) on a task of the current tokio runtime.
pub async fn serve<F>(respond: F) -> Server
where
    F: Fn(&Request, usize) -> Response + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let respond = respond.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Some(request) = read_request(&mut socket).await else {
                    return;
                };
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let r = respond(&request, n);
                if r.delivery == Delivery::CloseBeforeResponse {
                    return;
                }
                let custom_type = r
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
                let mut head = format!(
                    "HTTP/1.1 {} X\r\n{}content-length: {}\r\nconnection: close\r\n",
                    r.status,
                    if custom_type {
                        ""
                    } else {
                        "content-type: application/json\r\n"
                    },
                    r.body.len()
                );
                for (k, v) in &r.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = socket.write_all(head.as_bytes()).await;
                let body = r.body.as_bytes();
                match r.delivery {
                    Delivery::Whole | Delivery::CloseBeforeResponse => {
                        let _ = socket.write_all(body).await;
                    }
                    Delivery::CutShort => {
                        let _ = socket.write_all(&body[..body.len() / 2]).await;
                    }
                    Delivery::ResetMidBody => {
                        let _ = socket.write_all(&body[..body.len() / 2]).await;
                        let _ = socket.flush().await;
                        // Linger 0 (deprecated only for blocking on drop,
                        // which 0 does not): the drop sends a reset.
                        #[allow(deprecated)]
                        let _ = socket.set_linger(Some(std::time::Duration::ZERO));
                        return; // dropped with linger 0: RST
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    Server { url, hits }
}

/// One scripted response: status, headers, body.
pub type Step = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// Serve `script` in order; past its end, repeat its last response.
pub async fn script(script: Vec<Step>) -> Server {
    serve(move |_, n| {
        let (status, headers, body) = &script[n.min(script.len() - 1)];
        let mut r = Response::json(*status, *body);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        r
    })
    .await
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    Some(Request {
        method: first.next()?.to_string(),
        target: first.next()?.to_string(),
    })
}
