//! The [`Client`] and its [`ClientBuilder`]: the secret key, base URL,
//! timeouts, headers and retry policy every request of a client shares.

use crate::env::{API_URL_ENV, DEFAULT_API_URL, SECRET_KEY_ENV};
use crate::error::ConfigError;
use crate::generated;
use crate::retry::RetryPolicy;
use crate::secret::SecretKey;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::time::Duration;

/// Default timeout of one HTTP attempt (connect, send, read the response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Per-client settings the request hooks read on every call. Held inside
/// the generated client (progenitor's "inner" value).
#[derive(Clone)]
pub struct Inner {
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) api_version: Option<HeaderValue>,
    pub(crate) headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) secret_key: SecretKey,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("secret_key", &self.secret_key)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .finish()
    }
}

/// A client for Clerk's Backend API.
///
/// Every operation of the API is a method returning a builder; set its
/// parameters, then `.send().await`:
///
/// ```no_run
/// # async fn run() -> clerk_backend::Result<()> {
/// let client = clerk_backend::Client::from_env()?;
/// let users = client.get_user_list().limit(10).order_by("-created_at").send().await?;
/// for user in users.iter() {
///     println!("{:?}", user.id);
/// }
/// # Ok(()) }
/// ```
///
/// The operation methods live on the generated client, [`generated::Client`],
/// which this type dereferences to. `Client` is cheap to clone (the HTTP
/// connection pool is shared): build one and reuse it.
#[derive(Clone, Debug)]
pub struct Client {
    raw: generated::Client,
}

impl std::ops::Deref for Client {
    type Target = generated::Client;

    fn deref(&self) -> &generated::Client {
        &self.raw
    }
}

impl Client {
    /// A client for `https://api.clerk.com/v1` with the given secret key and
    /// default settings.
    ///
    /// # Panics
    /// If the key cannot be sent in an HTTP header (it contains a newline,
    /// say) or the TLS backend cannot initialise. Use [`Client::builder`]
    /// to get those as errors instead.
    pub fn new(secret_key: impl Into<SecretKey>) -> Self {
        Self::builder(secret_key)
            .build()
            .expect("invalid secret key or HTTP client configuration")
    }

    /// A client configured from the environment: `CLERK_SECRET_KEY`
    /// (required) and `CLERK_API_URL` (optional).
    pub fn from_env() -> Result<Self, ConfigError> {
        let key = std::env::var(SECRET_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or(ConfigError::MissingSecretKey)?;
        let mut builder = Self::builder(key);
        if let Some(url) = std::env::var(API_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// Start configuring a client.
    pub fn builder(secret_key: impl Into<SecretKey>) -> ClientBuilder {
        ClientBuilder::new(secret_key.into())
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.raw.baseurl.as_str()
    }

    /// The underlying `reqwest::Client`.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.raw.client
    }

    /// The secret key this client authenticates with.
    pub fn secret_key(&self) -> &SecretKey {
        &self.raw.inner.secret_key
    }

    /// The generated client, for code that wants it by name.
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }
}

/// Builder for [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    secret_key: SecretKey,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    api_version: Option<String>,
}

impl ClientBuilder {
    fn new(secret_key: SecretKey) -> Self {
        Self {
            secret_key,
            base_url: DEFAULT_API_URL.to_string(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(10),
            user_agent: format!("clerk-backend-rust/{}", env!("CARGO_PKG_VERSION")),
            headers: Vec::new(),
            http: None,
            retry: RetryPolicy::default(),
            api_version: generated::CLERK_API_VERSION.map(str::to_string),
        }
    }

    /// Send requests to another base URL (a proxy, or a mock server in
    /// tests). Include the version path, as in `https://api.clerk.com/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Timeout of one attempt, from sending the request to reading the whole
    /// response (default 30 s). Retries have their own total budget.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Replace the `User-Agent` (default `clerk-backend-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Add a header to every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this `reqwest::Client` (proxies, custom TLS roots, ...). The
    /// builder's timeouts are then not applied: configure them on it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Retry policy (default: [`RetryPolicy::default`]); see [`crate::retry`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Never retry.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::disabled())
    }

    /// Send `Clerk-API-Version: <version>`. Defaults to the spec's dated
    /// version when the client was generated from a dated spec; `v1` specs
    /// send none (Clerk then uses the instance's default version).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base = self.base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || reqwest::Url::parse(&base).is_err()
        {
            return Err(ConfigError::InvalidUrl(self.base_url));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ConfigError::InvalidHeader(name.clone()))?;
            let v = HeaderValue::from_str(value)
                .map_err(|_| ConfigError::InvalidHeader(name.clone()))?;
            headers.append(n, v);
        }
        let http = match self.http {
            Some(http) => http,
            None => crate::tls::http_client_builder()?
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .build()?,
        };
        let inner = Inner {
            authorization: self.secret_key.bearer()?,
            user_agent: HeaderValue::from_str(&self.user_agent)
                .map_err(|_| ConfigError::InvalidHeader("user-agent".into()))?,
            api_version: self
                .api_version
                .map(|v| HeaderValue::from_str(&v))
                .transpose()
                .map_err(|_| ConfigError::InvalidHeader("clerk-api-version".into()))?,
            headers,
            retry: self.retry,
            secret_key: self.secret_key,
        };
        Ok(Client {
            raw: generated::Client::new_with_client(&base, http, inner),
        })
    }
}
