//! The front of the app, per connection: a GET for a page that is in the page cache and fresh
//! is answered at once (`public::cached_page`), without routing and middleware, so a rush of
//! visitors costs little more than parsing HTTP. Everything else goes to the router, with the
//! peer's address as `ConnectInfo` (for the rate limits).

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{ConnectInfo, Request};
use axum::http::Method;
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tower::Service;

use super::slashes::{normalized, App};
use super::{build_app, AppState};

/// What `herald::start` serves: makes a [`Front`] for each accepted connection.
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
}

impl<'a, L> Service<IncomingStream<'a, L>> for Connections
where
    L: Listener<Addr = SocketAddr>,
{
    type Response = Front;
    type Error = Infallible;
    type Future = Ready<Result<Front, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'a, L>) -> Self::Future {
        ready(Ok(Front {
            app: self.app.clone(),
            state: self.state.clone(),
            peer: *stream.remote_addr(),
        }))
    }
}

/// One connection's service: the cached-page fast path, then the app.
#[derive(Clone)]
pub struct Front {
    app: App,
    state: AppState,
    peer: SocketAddr,
}

impl Service<Request> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.app.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if request.method() == Method::GET {
            if let Some(page) =
                super::public::cached_page(&self.state, request.uri(), request.headers())
            {
                return Box::pin(ready(Ok(page)));
            }
        }
        request.extensions_mut().insert(ConnectInfo(self.peer));
        Box::pin(self.app.call(request))
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
