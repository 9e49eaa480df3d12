//! The front of the app: accepts connections and serves HTTP/1.1 on them with hyper. A GET for a
//! page that is in the page cache and fresh is answered at once (`public::cached_page`),
//! without routing and middleware, so a rush of visitors costs little more than parsing HTTP.
//! Everything else goes to the router, with the peer's address as `ConnectInfo` (for the rate
//! limits). Headers must arrive within `HEADER_READ_TIMEOUT` (slow clients cannot hold
//! connections open for free); on shutdown, connections finish their requests and close.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::Method;
use axum::response::Response;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;
use tower::ServiceExt;

use super::slashes::{normalized, App};
use super::{build_app, AppState};

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole app, ready to serve connections: the fast path and the router.
#[derive(Clone)]
pub struct Connections {
    app: App,
    state: AppState,
}

impl Connections {
    pub fn new(state: AppState) -> Connections {
        Connections {
            app: normalized(build_app(state.clone())),
            state,
        }
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
            // Responses go out in one write; no reason to wait for more (Nagle).
            let _ = stream.set_nodelay(true);
            let front = Front {
                app: self.app.clone(),
                state: self.state.clone(),
                peer,
            };
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), front));
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
        drop(listener);
        graceful.shutdown().await;
    }
}

/// One connection's service: the cached-page fast path, then the app.
#[derive(Clone)]
pub struct Front {
    app: App,
    state: AppState,
    peer: SocketAddr,
}

impl hyper::service::Service<Request<Incoming>> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        if request.method() == Method::GET {
            if let Some(page) =
                super::public::cached_page(&self.state, request.uri(), request.headers())
            {
                return Box::pin(std::future::ready(Ok(page)));
            }
        }
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        Box::pin(self.app.clone().oneshot(request))
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
