//! The accept loop: HTTP/1.1 connections with a header-read (and keep-alive idle) timeout, a cap
//! on concurrent connections, and graceful shutdown. The timeout is a coarse watchdog per
//! connection (two atomic stores per request) rather than hyper's timer per request head, which
//! cost ~1,300 instructions per request under callgrind.
//!
//! Invariant: no connection is held forever. A client that sends no complete request head within
//! `header_read` — a slowloris, a silent socket, an idle keep-alive connection — is closed, and
//! at most `max_connections` are served at once (the next is closed at once, with a log line);
//! a body that does not arrive within `body_read` is refused by the pipeline.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

use crate::state::AppState;

/// How long and how many connections the server keeps.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// From the connection's start, or the end of the previous answer, to a complete request head.
    pub header_read: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(30),
            max_connections: 1_000,
        }
    }
}

/// Since when a connection has been waiting for a request head (none while a request runs).
struct Waiting {
    epoch: Instant,
    /// Milliseconds since `epoch` + 1 when the wait began; 0 while a request is being answered.
    since: AtomicU64,
}

impl Waiting {
    fn new(epoch: Instant) -> Self {
        let waiting = Waiting {
            epoch,
            since: AtomicU64::new(0),
        };
        waiting.idle();
        waiting
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn busy(&self) {
        self.since.store(0, Ordering::Relaxed);
    }

    fn idle(&self) {
        self.since.store(self.now(), Ordering::Relaxed);
    }

    fn longer_than(&self, limit: Duration) -> bool {
        let since = self.since.load(Ordering::Relaxed);
        since != 0
            && self.now().saturating_sub(since)
                > u64::try_from(limit.as_millis()).unwrap_or(u64::MAX)
    }
}

/// The app, telling `waiting` when a request starts (its head is complete: it is the mock's now,
/// however long it takes) and when its answer is ready (the wait for the next head begins).
#[derive(Clone)]
struct Watched<S> {
    inner: S,
    waiting: Arc<Waiting>,
}

impl<S, R> tower::Service<R> for Watched<S>
where
    S: tower::Service<R, Response = axum::response::Response>,
    S::Future: Unpin,
{
    type Response = axum::response::Response;
    type Error = S::Error;
    type Future = WatchedAnswer<S::Future>;

    fn poll_ready(
        &mut self,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.waiting.busy();
        WatchedAnswer {
            inner: self.inner.call(request),
            waiting: Some(Arc::clone(&self.waiting)),
        }
    }
}

/// The answer of a [`Watched`] service: its body marks the connection idle once it is sent
/// (dropped), so a long answer — the live page's event stream — is never cut by the watchdog.
struct WatchedAnswer<F> {
    inner: F,
    waiting: Option<Arc<Waiting>>,
}

impl<F, E> Future for WatchedAnswer<F>
where
    F: Future<Output = Result<axum::response::Response, E>> + Unpin,
{
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match std::pin::Pin::new(&mut self.inner).poll(context) {
            std::task::Poll::Ready(Ok(response)) => {
                let waiting = self.waiting.take();
                std::task::Poll::Ready(Ok(
                    response.map(|body| Body::new(IdleWhenSent { body, waiting }))
                ))
            }
            other => other,
        }
    }
}

/// An answer's body that marks its connection idle when it is dropped (sent, or abandoned).
struct IdleWhenSent {
    body: Body,
    waiting: Option<Arc<Waiting>>,
}

impl Drop for IdleWhenSent {
    fn drop(&mut self) {
        if let Some(waiting) = &self.waiting {
            waiting.idle();
        }
    }
}

impl axum::body::HttpBody for IdleWhenSent {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// [`crate::serve`] with explicit limits.
pub async fn serve_with_limits(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let app = crate::app(state);
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(max));
    let (closing, closed) = watch::channel(false);
    let mut last_cap_warning: Option<Instant> = None;
    let epoch = Instant::now();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            if last_cap_warning.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                tracing::warn!(
                    max_connections = max,
                    "connection cap reached: closing new connections until some end (--max-connections)"
                );
                last_cap_warning = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let waiting = Arc::new(Waiting::new(epoch));
        let service = TowerToHyperService::new(Watched {
            inner: app
                .clone()
                .map_request(|request: axum::http::Request<Incoming>| request.map(Body::new)),
            waiting: Arc::clone(&waiting),
        });
        let mut closed = closed.clone();
        let header_read = limits.header_read;
        tokio::spawn(async move {
            let _permit = permit;
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            // One coarse watchdog per connection instead of a timer per request: it closes the
            // connection once a request head has been awaited longer than `header_read`.
            let mut watchdog = tokio::time::interval(header_read / 4);
            watchdog.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    _ = closed.changed() => {
                        connection.as_mut().graceful_shutdown();
                        let _ = connection.await;
                        break;
                    }
                    _ = watchdog.tick() => {
                        if waiting.longer_than(header_read) {
                            break;
                        }
                    }
                }
            }
        });
    }
    let _ = closing.send(true);
    // Every connection holds a permit: having them all back means every connection ended.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}
