//! Pagination: every list operation as a stream of items.
//!
//! Each operation that pages with `limit` and `offset` implements
//! [`Paginate`] (the implementations are generated with the client), so one
//! call-site shape fits them all:
//!
//! ```no_run
//! use clerk_backend::Paginate;
//! use futures::TryStreamExt;
//!
//! # async fn run(client: clerk_backend::Client) -> clerk_backend::Result<()> {
//! let mut users = client.get_user_list().order_by("-created_at").into_paginator().items();
//! while let Some(user) = users.try_next().await? {
//!     println!("{:?}", user.id);
//! }
//! # Ok(()) }
//! ```
//!
//! Pages are fetched as the stream is read, [`MAX_PAGE_SIZE`] items at a
//! time unless [`Paginator::page_size`] says otherwise, and at most one page
//! is held in memory. Both of Clerk's list shapes are handled (a bare array,
//! and `{data, total_count}`); the stream ends after a short page, an empty
//! page, or when `total_count` is reached. A failed page ends the stream
//! with that error as its last item: results are never silently truncated.
//!
//! Offsets shift when items are created or deleted while a stream runs,
//! so an offset-paged stream can skip or repeat items. Operations with a
//! cursor (`get_user_list`'s `starting_after`) page by the last item's id
//! instead whenever the ordering allows ([`cursor_ordering`]): the default
//! ordering and the `created_at` ones.

use crate::Result;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::future::Future;

/// The largest `limit` Clerk accepts.
pub const MAX_PAGE_SIZE: u64 = 500;

/// A list operation's builder that can fetch any window of its results.
///
/// Implemented (by generated code) for every builder whose operation takes
/// `limit` and `offset`.
pub trait Paginate: Clone + Send + Sized {
    /// What one call returns.
    type Page: Send;
    /// One element of a page.
    type Item: Send;

    /// This request, for `limit` items starting at `offset`.
    fn window(self, limit: u64, offset: u64) -> Self;

    /// Send the request.
    fn fetch(self) -> impl Future<Output = Result<Self::Page>> + Send;

    /// A page's items, and the total across all pages when Clerk says.
    fn split(page: Self::Page) -> (Vec<Self::Item>, Option<u64>);

    /// This request for the items that follow `last`, by cursor: `None`
    /// (the default) when the operation has no cursor or its ordering rules
    /// one out, and paging goes by offset.
    ///
    /// A cursor (Clerk's `starting_after`, an item's id) keeps its place
    /// when items are created or deleted meanwhile; an offset does not.
    fn after(self, last: &Self::Item) -> Option<Self> {
        let _ = last;
        None
    }

    /// Page through all results: see [`Paginator`].
    fn into_paginator(self) -> Paginator<Self> {
        Paginator {
            request: self,
            page_size: MAX_PAGE_SIZE,
            start: 0,
        }
    }
}

/// Streams the results of a list operation page by page.
#[derive(Debug, Clone)]
pub struct Paginator<R> {
    request: R,
    page_size: u64,
    start: u64,
}

impl<R: Paginate> Paginator<R> {
    /// Items per request, 1 to [`MAX_PAGE_SIZE`] (the default).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Skip the first `offset` results.
    pub fn start_at(mut self, offset: u64) -> Self {
        self.start = offset;
        self
    }

    /// The pages, each as a `Vec` of items.
    ///
    /// After the first page, an operation with a cursor that its ordering
    /// allows ([`Paginate::after`]) continues from the last item's id;
    /// others continue at the next offset.
    pub fn pages<'s>(self) -> BoxStream<'s, Result<Vec<R::Item>>>
    where
        R: 's,
    {
        let first = self.request.clone().window(self.page_size, self.start);
        let state = Some(Next {
            request: self.request,
            page: first,
            offset: self.start,
        });
        let size = self.page_size;
        let stream = futures_util::stream::unfold(state, move |state| async move {
            let Next {
                request,
                page,
                offset,
            } = state?;
            match page.fetch().await {
                Err(e) => Some((Err(e), None)),
                Ok(page) => {
                    let (items, total) = R::split(page);
                    let next = offset + items.len() as u64;
                    let more = items.len() as u64 >= size && total.is_none_or(|t| next < t);
                    let last = items.last()?;
                    let page = match request.clone().after(last) {
                        Some(cursor) => cursor.window(size, 0),
                        None => request.clone().window(size, next),
                    };
                    let state = more.then_some(Next {
                        request,
                        page,
                        offset: next,
                    });
                    Some((Ok(items), state))
                }
            }
        });
        Box::pin(stream)
    }

    /// The items of every page, one by one.
    pub fn items<'s>(self) -> BoxStream<'s, Result<R::Item>>
    where
        R: 's,
    {
        let stream = self.pages().flat_map(|page| {
            let items: Vec<Result<R::Item>> = match page {
                Ok(items) => items.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        });
        Box::pin(stream)
    }
}

/// The next request of a [`Paginator`], and how many items came before it.
struct Next<R> {
    request: R,
    page: R,
    offset: u64,
}

/// Whether a list ordered by `order_by` (`None`: Clerk's default) can page
/// by an id cursor: only the `created_at` orderings can, Clerk's rule for
/// `starting_after`; other orderings sort by values neither unique nor
/// fixed, so Clerk refuses the cursor with them.
pub fn cursor_ordering(order_by: Option<&str>) -> bool {
    matches!(
        order_by,
        None | Some("created_at" | "+created_at" | "-created_at")
    )
}

/// A `total_count` of whatever numeric type the spec gave it.
pub trait Count {
    /// As a non-negative count.
    fn count(&self) -> u64;
}

macro_rules! count_as {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(&self) -> u64 {
                *self as u64
            }
        }
    )*};
}
count_as!(i64, u64, i32, u32, f64, f32);

impl<T: Count> Count for Option<T> {
    fn count(&self) -> u64 {
        self.as_ref().map_or(u64::MAX, Count::count)
    }
}

impl Count for std::num::NonZeroU64 {
    fn count(&self) -> u64 {
        self.get()
    }
}
