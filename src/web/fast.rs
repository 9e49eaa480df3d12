//! The front of the app: accepts connections and serves HTTP/1.1 on them with hyper. A GET for a
//! page that is in the page cache and fresh is answered at once (`visitor::cached_page`),
//! without routing and middleware, so a rush of visitors costs little more than parsing HTTP.
//! Everything else goes to the router, with the peer's address as `ConnectInfo` (for the rate
//! limits). On shutdown, connections finish their requests and close.
//!
//! Slow clients cannot hold the server: headers must arrive within `HEADER_READ_TIMEOUT` and a
//! body within `Config::body_timeout` (408), and at most `max_connections` connections are held
//! (below the descriptor limit). At the cap, a new connection closes the one that has waited
//! longest for its client (idle between requests, or sending headers or a body slowly), as
//! nginx reuses idle keep-alive connections; only when every connection is busy being served is
//! the newcomer answered a bare 503. So a visitor is answered however many slow clients come.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::Method;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::serve::Listener;
use hyper::body::{Body as _, Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use super::slashes::{normalized, App};
use super::{build_app, AppState};

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Descriptors kept free of connections by the default cap: the database pool (SQLite holds
/// three files per connection), the listener, the event loops, standard streams.
pub const DESCRIPTOR_HEADROOM: usize = 128;

/// The process's descriptor limit (the soft `RLIMIT_NOFILE`, `ulimit -n`), if it is finite.
pub fn descriptor_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The most connections the descriptor limit allows: the limit minus `DESCRIPTOR_HEADROOM`
/// (at least half the limit); 65,536 when there is no limit.
pub fn default_max_connections() -> usize {
    match descriptor_limit() {
        Some(limit) => limit
            .saturating_sub(DESCRIPTOR_HEADROOM)
            .max(limit / 2)
            .max(1),
        None => 65_536,
    }
}

/// The whole app, ready to serve connections: the fast path and the router.
#[derive(Clone)]
pub struct Connections {
    app: App,
    state: AppState,
    held: Arc<Held>,
    body_timeout: Duration,
}

impl Connections {
    pub fn new(state: AppState) -> Connections {
        let max = state
            .config
            .max_connections
            .unwrap_or_else(default_max_connections)
            .max(1);
        Connections {
            app: normalized(build_app(state.clone())),
            body_timeout: state.config.body_timeout,
            held: Arc::new(Held::new(max)),
            state,
        }
    }

    /// The connection cap in force.
    pub fn max_connections(&self) -> usize {
        self.held.max
    }

    /// Serves every connection `listener` accepts until `stopped` turns true; then stops
    /// accepting, lets in-flight requests finish, closes idle connections and returns.
    pub async fn serve<L>(self, mut listener: L, mut stopped: watch::Receiver<bool>)
    where
        L: Listener<Io = TcpStream, Addr = SocketAddr>,
    {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true);
        let graceful = GracefulShutdown::new();
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = stopped.wait_for(|s| *s) => break,
            };
            let Some(place) = self.held.admit() else {
                shed(stream);
                continue;
            };
            // Responses go out in one write; no reason to wait for more (Nagle).
            let _ = stream.set_nodelay(true);
            let slot = place.slot.clone();
            let front = Front {
                app: self.app.clone(),
                state: self.state.clone(),
                peer,
                slot: slot.clone(),
                body_timeout: self.body_timeout,
            };
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), front));
            tokio::spawn(async move {
                let _place = place;
                tokio::select! {
                    ended = connection => {
                        if let Err(e) = ended {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    }
                    _ = slot.close.notified() => {
                        tracing::debug!("closed a waiting connection to make room for a new one");
                    }
                }
            });
        }
        drop(listener);
        graceful.shutdown().await;
    }
}

/// At the cap with every connection busy: a bare 503, and the connection is closed.
fn shed(stream: TcpStream) {
    tracing::debug!("connection cap reached and every connection busy: 503");
    let _ = stream.try_write(
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
    );
}

/// The connections held, across every worker, each with how long it has waited for its client.
struct Held {
    max: usize,
    epoch: Instant,
    next_id: AtomicU64,
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
}

/// Marks a connection that is being served (not waiting for its client).
const BUSY: u64 = u64::MAX;

/// One held connection.
struct Slot {
    id: u64,
    epoch: Instant,
    /// Milliseconds from the epoch at which the connection began to wait for its client (for
    /// headers, or for the rest of a body), or `BUSY`.
    waiting_since: AtomicU64,
    /// Closes the connection (to make room for a new one).
    close: Notify,
}

impl Slot {
    fn waiting(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(BUSY - 1);
        self.waiting_since.store(ms, Ordering::Relaxed);
    }

    fn busy(&self) {
        self.waiting_since.store(BUSY, Ordering::Relaxed);
    }
}

/// A connection's place among the held ones, given up when the connection ends.
struct Place {
    held: Arc<Held>,
    slot: Arc<Slot>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.held
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.slot.id);
    }
}

impl Held {
    fn new(max: usize) -> Held {
        Held {
            max,
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// A place for a new connection: free, or made by closing the connection that has waited
    /// longest for its client; None when every held connection is being served.
    fn admit(self: &Arc<Held>) -> Option<Place> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= self.max {
            let victim = slots
                .values()
                .map(|s| (s.waiting_since.load(Ordering::Relaxed), s.id))
                .filter(|(since, _)| *since != BUSY)
                .min()?
                .1;
            if let Some(victim) = slots.remove(&victim) {
                victim.close.notify_one();
            }
        }
        let slot = Arc::new(Slot {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            epoch: self.epoch,
            waiting_since: AtomicU64::new(0),
            close: Notify::new(),
        });
        slot.waiting();
        slots.insert(slot.id, slot.clone());
        Some(Place {
            held: self.clone(),
            slot,
        })
    }
}

/// A request body that must arrive by a deadline; past it, the body fails and the request is
/// answered 408. Ending (or failing) marks the connection busy: it no longer waits for its
/// client.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    slot: Arc<Slot>,
    timed_out: Arc<AtomicBool>,
}

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    this.slot.busy();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.slot.busy();
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(None) => {
                this.slot.busy();
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    this.slot.busy();
                    this.timed_out.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(
                        Err("the request body did not arrive in time".into()),
                    ));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// One connection's service: the cached-page fast path, then the app.
#[derive(Clone)]
pub struct Front {
    app: App,
    state: AppState,
    peer: SocketAddr,
    slot: Arc<Slot>,
    body_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        if request.method() == Method::GET {
            if let Some(page) =
                super::visitor::cached_page(&self.state, request.uri(), request.headers())
            {
                self.slot.waiting();
                return Box::pin(std::future::ready(Ok(page)));
            }
        }
        let slot = self.slot.clone();
        if request.body().is_end_stream() {
            slot.busy();
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(self.peer));
            let served = self.app.clone().oneshot(request);
            return Box::pin(async move {
                let response = served.await;
                slot.waiting();
                response
            });
        }
        // A body to come: the connection still waits for its client until it has arrived.
        slot.waiting();
        let timed_out = Arc::new(AtomicBool::new(false));
        let api = request.uri().path().starts_with("/api/");
        let locale = super::lang::visitor_locale(request.headers(), "en");
        let deadline = Box::pin(tokio::time::sleep(self.body_timeout));
        let mut request = request.map(|inner| {
            Body::new(TimedBody {
                inner,
                deadline,
                slot: slot.clone(),
                timed_out: timed_out.clone(),
            })
        });
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let served = self.app.clone().oneshot(request);
        let state = self.state.clone();
        let seconds = self.body_timeout.as_secs();
        Box::pin(async move {
            let response = served.await;
            slot.waiting();
            if !timed_out.load(Ordering::Relaxed) {
                return response;
            }
            let error = crate::error::Error::Timeout(format!(
                "the request body did not arrive within {seconds} seconds"
            ));
            let mut response = if api {
                super::json::ApiError(error).into_response()
            } else {
                super::errors::error_page(&state.i18n, &locale, &error)
            };
            // The rest of the body may still come: do not read it as the next request.
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            Ok(response)
        })
    }
}

/// A worker's listener: the connections the acceptor hands to this worker (see
/// `herald::start` with `workers`), registered with the worker's own event loop.
pub struct Handoff {
    connections: UnboundedReceiver<(std::net::TcpStream, SocketAddr)>,
    addr: SocketAddr,
}

impl Handoff {
    pub fn new(
        connections: UnboundedReceiver<(std::net::TcpStream, SocketAddr)>,
        addr: SocketAddr,
    ) -> Handoff {
        Handoff { connections, addr }
    }
}

impl Listener for Handoff {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.connections.recv().await {
                Some((stream, peer)) => match TcpStream::from_std(stream) {
                    Ok(io) => return (io, peer),
                    Err(e) => tracing::warn!(error = %e, "cannot take over a connection"),
                },
                // The acceptor has stopped: nothing more comes until shutdown.
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_longest_waiting_connection_makes_room_and_busy_ones_never_do() {
        let held = Arc::new(Held::new(2));
        let first = held.admit().expect("room");
        std::thread::sleep(Duration::from_millis(5));
        let second = held.admit().expect("room");
        // Full: the one that has waited longest is closed for the newcomer.
        let third = held.admit().expect("room made");
        assert!(first.slot.close.notified().now_or_never().is_some());
        assert!(second.slot.close.notified().now_or_never().is_none());
        drop(first);
        assert_eq!(held.slots.lock().unwrap().len(), 2);
        // Every held connection busy being served: the newcomer is refused.
        second.slot.busy();
        third.slot.busy();
        assert!(held.admit().is_none());
        // One waits for its client again (between requests): it makes room.
        third.slot.waiting();
        assert!(held.admit().is_some());
        assert!(third.slot.close.notified().now_or_never().is_some());
    }

    trait NowOrNever: Future + Sized {
        fn now_or_never(self) -> Option<Self::Output> {
            let mut future = std::pin::pin!(self);
            let waker = std::task::Waker::noop();
            match future.as_mut().poll(&mut Context::from_waker(waker)) {
                Poll::Ready(out) => Some(out),
                Poll::Pending => None,
            }
        }
    }

    impl<F: Future> NowOrNever for F {}
}
