//! The accept loop: HTTP/1.1 connections with a header-read (and keep-alive idle) timeout, a cap
//! on concurrent connections, and graceful shutdown. The timeout is a coarse watchdog per
//! connection (two atomic stores per request) rather than hyper's timer per request head, which
//! cost ~1,300 instructions per request under callgrind.
//!
//! Invariant: no connection is held forever. A client that sends no complete request head within
//! `header_read` — a slowloris, a silent socket, an idle keep-alive connection — is closed, and
//! at most `max_connections` are served at once (the next is closed at once, with a log line);
//! a body that does not arrive within `body_read` is refused by the pipeline.
//!
//! Invariant: the live page's event streams cannot take the API's connection slots: a connection
//! whose answer is an event stream ([`crate::routes::answer::StreamAnswer`]) gives its slot back (the streams have their
//! own pool, `--max-streams`), and a stream whose client has taken no event for
//! `stream_stall` is cut.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::state::AppState;

/// How long and how many connections the server keeps.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// From the connection's start, or the end of the previous answer, to a complete request head.
    pub header_read: Duration,
    /// Connections served at once (event streams not counted: they have their own pool).
    pub max_connections: usize,
    /// An event stream whose client takes no event for this long is cut (the stream sends a
    /// keep-alive comment at least every third of it).
    pub stream_stall: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(30),
            max_connections: 1_000,
            stream_stall: Duration::from_secs(60),
        }
    }
}

/// Since when a connection has been waiting for a request head (none while a request runs),
/// counted in the connection's watchdog ticks: marking a request's start and its answer's end
/// reads no clock (they happen on every request; the ticks a few times per limit).
struct Waiting {
    /// Watchdog ticks so far.
    ticks: AtomicU64,
    /// The tick count + 1 when the wait began; 0 while a request is being answered.
    since: AtomicU64,
    /// The connection's slot among `max_connections`, given back when it becomes a stream.
    slot: std::sync::Mutex<Option<tokio::sync::OwnedSemaphorePermit>>,
    /// While the answer is an event stream: the tick count + 1 when its client last took an
    /// event (0: not a stream).
    streamed: AtomicU64,
}

/// Watchdog ticks per `header_read`: a connection is closed between one and 1¼ limits into
/// its wait.
const TICKS_PER_LIMIT: u32 = 4;

impl Waiting {
    fn new() -> Self {
        Waiting {
            ticks: AtomicU64::new(0),
            since: AtomicU64::new(1),
            slot: std::sync::Mutex::new(None),
            streamed: AtomicU64::new(0),
        }
    }

    /// The answer is an event stream: the connection's slot goes back to the pool.
    fn streaming(&self) {
        self.taken();
        drop(
            self.slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take(),
        );
    }

    /// The stream's client took an event.
    fn taken(&self) {
        self.streamed
            .store(self.ticks.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// Whether a stream's client has taken no event for more than `stall_ticks` ticks.
    fn stalled(&self, stall_ticks: u64) -> bool {
        let streamed = self.streamed.load(Ordering::Relaxed);
        streamed != 0
            && (self.ticks.load(Ordering::Relaxed) + 1).saturating_sub(streamed) > stall_ticks
    }

    fn busy(&self) {
        self.since.store(0, Ordering::Relaxed);
    }

    fn idle(&self) {
        self.since
            .store(self.ticks.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// One watchdog tick (every `header_read / TICKS_PER_LIMIT`, the first at once): whether
    /// the connection has now waited longer than `header_read`. A wait that began after `c`
    /// ticks has, at tick `n`, lasted more than `(n - 1 - c)` periods.
    fn tick(&self) -> bool {
        let ticks = self.ticks.fetch_add(1, Ordering::Relaxed) + 1;
        let since = self.since.load(Ordering::Relaxed);
        since != 0 && (ticks + 1).saturating_sub(since) > u64::from(TICKS_PER_LIMIT)
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
    // The answer's body wrapped, not boxed a second time: hyper takes any body type.
    type Response = axum::http::Response<IdleWhenSent>;
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
    type Output = Result<axum::http::Response<IdleWhenSent>, E>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match std::pin::Pin::new(&mut self.inner).poll(context) {
            std::task::Poll::Ready(Ok(response)) => {
                let waiting = self.waiting.take();
                let stream = response
                    .extensions()
                    .get::<crate::routes::answer::StreamAnswer>()
                    .is_some();
                if stream && let Some(waiting) = &waiting {
                    waiting.streaming();
                }
                std::task::Poll::Ready(Ok(response.map(|body| IdleWhenSent {
                    body,
                    waiting,
                    stream,
                })))
            }
            std::task::Poll::Ready(Err(error)) => std::task::Poll::Ready(Err(error)),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

/// An answer's body that marks its connection idle when it is dropped (sent, or abandoned).
struct IdleWhenSent {
    body: Body,
    waiting: Option<Arc<Waiting>>,
    /// An event stream: each event taken is told to the watchdog.
    stream: bool,
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
        let frame = std::pin::Pin::new(&mut self.body).poll_frame(context);
        if self.stream
            && matches!(frame, std::task::Poll::Ready(Some(_)))
            && let Some(waiting) = &self.waiting
        {
            waiting.taken();
        }
        frame
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
        let waiting = Arc::new(Waiting::new());
        *waiting
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(permit);
        // hyper's request body goes to the pipeline as it is (not boxed per request).
        let service = TowerToHyperService::new(Watched {
            inner: app.clone(),
            waiting: Arc::clone(&waiting),
        });
        let mut closed = closed.clone();
        let header_read = limits.header_read;
        let tick = header_read / TICKS_PER_LIMIT;
        let stall_ticks = u64::try_from(limits.stream_stall.as_millis() / tick.as_millis().max(1))
            .unwrap_or(u64::MAX)
            .max(1);
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                // An answer's head and its (small) body copied into one buffer and written at
                // once: cheaper than queueing both for a vectored write (−0.4k instructions a
                // request, `bench/profile.sh`).
                .writev(false)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            // One coarse watchdog per connection instead of a timer per request: it closes the
            // connection once a request head has been awaited longer than `header_read`.
            let mut watchdog = tokio::time::interval(tick);
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
                        if waiting.tick() || waiting.stalled(stall_ticks) {
                            break;
                        }
                    }
                }
            }
        });
    }
    let _ = closing.send(true);
    // Every connection holds a permit (but event streams, which gave theirs back and never end
    // by themselves): having them all back means every request connection ended.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ticks at which a wait is found too long (1-based; the first tick comes at once).
    fn closing_tick(waiting: &Waiting, limit: u64) -> Option<u64> {
        (1..=limit).find(|_| waiting.tick())
    }

    #[test]
    fn a_wait_is_cut_only_after_a_whole_limit() {
        // A new connection waits from before the first (immediate) tick: tick 5 comes one whole
        // limit (four periods) later.
        assert_eq!(closing_tick(&Waiting::new(), 20), Some(5));
        // A wait that begins after 3 ticks has lasted more than four periods at tick 8.
        let waiting = Waiting::new();
        waiting.busy();
        assert_eq!(closing_tick(&waiting, 3), None);
        waiting.idle();
        assert_eq!(closing_tick(&waiting, 20), Some(5));
        // A request being answered is never cut, however long it takes.
        waiting.busy();
        assert_eq!(closing_tick(&waiting, 100), None);
    }

    #[test]
    fn a_stream_is_cut_once_its_client_takes_nothing_for_the_stall_limit() {
        let semaphore = Arc::new(Semaphore::new(1));
        let waiting = Waiting::new();
        *waiting.slot.lock().expect("slot") =
            Some(Arc::clone(&semaphore).try_acquire_owned().expect("permit"));
        assert!(!waiting.stalled(3), "no stream, no stall");
        waiting.busy();
        waiting.streaming();
        // The connection's slot is back in the pool.
        assert_eq!(semaphore.available_permits(), 1);
        // A client that keeps taking events is never cut.
        for _ in 0..10 {
            waiting.tick();
            waiting.taken();
            assert!(!waiting.stalled(3));
        }
        // One that stops is cut once more than three ticks went by without an event.
        let cut = (1..=10).find(|_| {
            waiting.tick();
            waiting.stalled(3)
        });
        assert_eq!(cut, Some(4));
    }
}
