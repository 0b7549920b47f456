//! Graceful shutdown: on SIGTERM (what a container runtime or systemd sends) or Ctrl-C the
//! service stops taking connections, lets the requests in flight finish within the drain time,
//! and ends.

use axum::Router;
use std::time::Duration;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until a signal, then drains for at most `drain`.
pub async fn serve_until_signal(listener: TcpListener, app: Router, drain: Duration) -> std::io::Result<()> {
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        signal().await;
        tracing::info!(drain_s = drain.as_secs(), "stopping: no new connections, finishing requests in flight");
        let _ = stopping.send(true);
    });
    let deadline = async move {
        let _ = stopped.wait_for(|&s| s).await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        result = server => {
            result?;
            tracing::info!("stopped");
        }
        () = deadline => tracing::warn!("stopped: the drain time ran out with requests still in flight"),
    }
    Ok(())
}

/// SIGTERM or Ctrl-C (SIGINT).
async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
