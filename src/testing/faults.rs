//! Injected faults: the next requests (optionally of one operation) answer
//! an error status, with or without `Retry-After`, or lose their
//! connection, so that an application's retry paths can be tested.

use http::StatusCode;

/// A fault for [`FakeClerk::inject`](super::FakeClerk::inject).
///
/// ```
/// use clerk_backend::testing::Fault;
/// // The next two GetUser calls are rate-limited, with Retry-After: 1.
/// let fault = Fault::status(429).retry_after(1).times(2).operation("GetUser");
/// // The next request of any operation loses its connection.
/// let drop = Fault::drop_connection();
/// # let _ = (fault, drop);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    kind: Kind,
    operation: Option<String>,
    remaining: usize,
    retry_after: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Status(StatusCode),
    Drop,
}

/// What the server does for a request hit by a fault.
pub(crate) enum FaultAction {
    Drop,
    Status {
        status: StatusCode,
        retry_after: Option<u64>,
    },
}

impl Fault {
    /// Answer `status` (e.g. 429, 500, 503) with a Clerk error body. A
    /// number that is not an HTTP error status (below 400 or above 599)
    /// becomes 500.
    pub fn status(status: u16) -> Self {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(Kind::Status(status))
    }

    /// Close the connection without answering.
    pub fn drop_connection() -> Self {
        Self::new(Kind::Drop)
    }

    fn new(kind: Kind) -> Self {
        Fault {
            kind,
            operation: None,
            remaining: 1,
            retry_after: None,
        }
    }

    /// Hit the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = n;
        self
    }

    /// Only requests of this operation (the spec's operationId, e.g.
    /// `"GetUser"`).
    pub fn operation(mut self, operation_id: impl Into<String>) -> Self {
        self.operation = Some(operation_id.into());
        self
    }

    /// Send `Retry-After: <seconds>` with the status.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

/// The first pending fault that applies to a request of `operation`,
/// counted down (and removed when used up).
pub(crate) fn take(faults: &mut Vec<Fault>, operation: Option<&str>) -> Option<FaultAction> {
    let index = faults.iter().position(|f| {
        f.remaining > 0
            && f.operation
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == operation)
    })?;
    let fault = &mut faults[index];
    fault.remaining -= 1;
    let action = match fault.kind {
        Kind::Drop => FaultAction::Drop,
        Kind::Status(status) => FaultAction::Status {
            status,
            retry_after: fault.retry_after,
        },
    };
    if fault.remaining == 0 {
        faults.remove(index);
    }
    Some(action)
}
