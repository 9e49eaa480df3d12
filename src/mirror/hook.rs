//! `--mirror-hook CMD`: a shell command run after each batch that wrote files (to push the
//! directory to a bucket or another host). Batches that come while it runs are covered by
//! its next run; a failure is logged and retried with a growing delay (1 s, 2 s, … 5 min).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(300);

/// Tells the hook's task that the directory changed.
pub struct Hook {
    dirty: watch::Sender<u64>,
}

pub fn spawn(command: String, dir: PathBuf, mut stopped: watch::Receiver<bool>) -> Hook {
    let (dirty, mut changed) = watch::channel(0u64);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                c = changed.changed() => {
                    if c.is_err() {
                        return;
                    }
                }
                _ = stopped.wait_for(|s| *s) => return,
            }
            let mut delay = FIRST_RETRY;
            loop {
                let _ = changed.borrow_and_update();
                match run(&command, &dir).await {
                    Ok(()) => break,
                    Err(e) => {
                        tracing::error!(error = %e, retry_in_seconds = delay.as_secs(), "mirror hook failed");
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stopped.wait_for(|s| *s) => return,
                }
                delay = (delay * 2).min(LAST_RETRY);
            }
        }
    });
    Hook { dirty }
}

/// After a batch: wakes the hook if the batch wrote anything.
pub fn ran_batch(hook: Option<&Hook>, report: &super::Report) {
    if let Some(hook) = hook.filter(|_| !report.written.is_empty()) {
        hook.dirty.send_modify(|n| *n += 1);
    }
}

/// Runs `sh -c command` with `HERALD_MIRROR_DIR` set; `Err` with its status and the end of
/// its standard error when it fails.
async fn run(command: &str, dir: &Path) -> anyhow::Result<()> {
    let (cmd, dir) = (command.to_string(), dir.to_path_buf());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .env("HERALD_MIRROR_DIR", dir)
            .stdin(std::process::Stdio::null())
            .output()
    })
    .await??;
    if output.status.success() {
        tracing::info!("mirror hook ran");
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: String = stderr
        .chars()
        .rev()
        .take(500)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    anyhow::bail!("`{command}` exited with {}: {}", output.status, tail.trim())
}
