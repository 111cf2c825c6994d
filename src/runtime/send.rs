//! The exchange every generated operation makes, written once: hooks
//! (`hooks.rs`), the request, the status dispatch and the decode. Each
//! builder's `send()` (`build/send.rs`) builds its request with a plain
//! function and hands it here with its operation id and status table.
//!
//! Why one generic function instead of progenitor's `async fn send` per
//! operation: the compiler type-checks, borrow-checks and lays out a state
//! machine for every `async fn`, and 250 copies of the same exchange were a
//! fifth of this crate's build. Generic code is checked once and
//! instantiated (per response type) only where an application calls it.

use crate::generated::Client;
use progenitor_client::{ClientHooks, Error, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// What a builder's `send()` returns, and what awaiting the builder runs:
/// the response, decoded, or [`crate::Error`]. Boxed, so that every
/// operation's future is this one type.
pub type ResponseFuture<'a, T> =
    Pin<Box<dyn Future<Output = crate::Result<ResponseValue<T>>> + Send + 'a>>;

/// The request a builder built: its client, or why it could not be built (a
/// parameter that did not convert, a URL that does not parse).
#[doc(hidden)]
pub type Built<'a> = Result<(&'a Client, reqwest::Request), Error<Value>>;

/// How a status is answered, as the operation's spec says.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The documented success: decode the body (or take none).
    Success,
    /// A documented error: decode Clerk's error body.
    Error,
}

/// An operation's statuses: inclusive ranges, first match wins; a status in
/// none is an unexpected response.
#[doc(hidden)]
pub type Statuses = &'static [(u16, u16, Outcome)];

/// Send, and decode a success body as `T`.
#[doc(hidden)]
#[inline]
pub fn json<'a, T>(
    built: Built<'a>,
    operation_id: &'static str,
    statuses: Statuses,
) -> ResponseFuture<'a, T>
where
    T: DeserializeOwned + Send + 'a,
{
    Box::pin(async move {
        let response = exchange(built, operation_id, statuses).await?;
        crate::decode::response(response)
            .await
            .map_err(crate::Error::from)
    })
}

/// Send; a success has no body to decode.
#[doc(hidden)]
#[inline]
pub fn empty<'a>(
    built: Built<'a>,
    operation_id: &'static str,
    statuses: Statuses,
) -> ResponseFuture<'a, ()> {
    Box::pin(async move {
        let response = exchange(built, operation_id, statuses).await?;
        Ok(ResponseValue::empty(response))
    })
}

/// The hooks, the request, and the status dispatch: a success response is
/// returned as it came, anything else is the error it stands for.
async fn exchange(
    built: Built<'_>,
    operation_id: &'static str,
    statuses: Statuses,
) -> crate::Result<reqwest::Response> {
    let (client, mut request) = built?;
    let info = OperationInfo { operation_id };
    client.pre::<Value>(&mut request, &info).await?;
    let result = client.exec(request, &info).await;
    client.post::<Value>(&result, &info).await?;
    let response = result.map_err(Error::<Value>::from)?;
    let status = response.status().as_u16();
    match outcome(statuses, status) {
        Some(Outcome::Success) => Ok(response),
        Some(Outcome::Error) => {
            let body = crate::decode::response::<Value, Value>(response).await?;
            Err(Error::ErrorResponse(body).into())
        }
        None => Err(Error::<Value>::UnexpectedResponse(response).into()),
    }
}

fn outcome(statuses: Statuses, status: u16) -> Option<Outcome> {
    statuses
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&status))
        .map(|(_, _, outcome)| *outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_range_holding_the_status_decides() {
        let statuses: Statuses = &[
            (200, 200, Outcome::Success),
            (201, 299, Outcome::Error),
            (200, 599, Outcome::Success),
        ];
        assert_eq!(outcome(statuses, 200), Some(Outcome::Success));
        assert_eq!(outcome(statuses, 204), Some(Outcome::Error));
        assert_eq!(outcome(statuses, 404), Some(Outcome::Success));
        assert_eq!(outcome(statuses, 199), None);
        assert_eq!(outcome(statuses, 600), None);
        assert_eq!(outcome(&[], 200), None);
    }
}
