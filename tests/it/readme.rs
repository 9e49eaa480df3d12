//! The README's "Try it" block, run as written: extracted from README.md between its markers,
//! pasted into bash in a fresh directory with the built `herald` first on PATH. Only the port
//! differs (a free one instead of 3000, so runs never collide). At the end the page must be
//! operational, and after the block's clean stop `herald.db` alone (copied without its `-wal`
//! and `-shm`) must hold everything the walkthrough wrote.

use std::io::Write;
use std::process::{Command, Stdio};

use herald::domain::{ComponentStatus, IncidentStatus};

/// The shell block between `<!-- try-it:begin -->` and `<!-- try-it:end -->`, without its fence.
fn try_it_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("<!-- try-it:begin -->")
        .expect("try-it:begin marker");
    let end = readme
        .find("<!-- try-it:end -->")
        .expect("try-it:end marker");
    let block = readme[start..end]
        .split_once("```sh\n")
        .expect("a ```sh fence after the begin marker")
        .1;
    block
        .rsplit_once("```")
        .expect("the closing fence")
        .0
        .to_string()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn the_readme_try_it_block_runs_as_written() {
    if !have("jq") || !have("curl") {
        // The block needs them; say so where a person sees it (not in captured output).
        let _ = writeln!(
            std::io::stderr(),
            "NOTICE: the_readme_try_it_block_runs_as_written SKIPPED: it needs curl and jq"
        );
        return;
    }
    let block = try_it_block();
    assert!(
        block.contains("127.0.0.1:3000"),
        "the block talks to 127.0.0.1:3000"
    );
    assert!(!block.contains('<'), "no placeholders left: {block}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The harness adds one line before the block: if the block fails half-way, its background
    // server is stopped (by its own pid) instead of outliving the test.
    let script = format!(
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{}",
        block.replace("127.0.0.1:3000", &format!("127.0.0.1:{port}"))
    );
    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_herald"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Output to files, not pipes: a stray background process cannot hold the test up.
    let stdout_file = dir.path().join("stdout.txt");
    let stderr_file = dir.path().join("stderr.txt");
    let work = dir.path().join("try-it");
    std::fs::create_dir(&work).unwrap();
    let status = tokio::task::spawn_blocking({
        let (stdout_file, stderr_file, work) =
            (stdout_file.clone(), stderr_file.clone(), work.clone());
        move || {
            Command::new("timeout")
                .args(["180", "bash", "-e", "-o", "pipefail", "-c", &script])
                .current_dir(&work)
                .env("PATH", path)
                .env("HERALD_LISTEN", format!("127.0.0.1:{port}"))
                .env("HERALD_SERVER", format!("http://127.0.0.1:{port}"))
                .env("HERALD_LOG", "warn")
                .env_remove("DATABASE_URL")
                .env_remove("HERALD_TOKEN")
                .env_remove("HERALD_PUBLIC_URL")
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(stdout_file).unwrap())
                .stderr(std::fs::File::create(stderr_file).unwrap())
                .status()
                .expect("bash")
        }
    })
    .await
    .unwrap();
    let out = std::process::Output {
        status,
        stdout: std::fs::read(&stdout_file).unwrap(),
        stderr: std::fs::read(&stderr_file).unwrap(),
    };
    let dir = work;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the block failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("Email delays in Sell: resolved"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        stdout.trim_end().lines().last(),
        Some("All Systems Operational"),
        "{stdout}\n{stderr}"
    );
    assert!(
        !stderr.contains("it is shown once:"),
        "the token notice under $(…): {stderr}"
    );

    // The clean stop left everything in herald.db: a copy of that file alone has it all.
    assert!(dir.join("herald.db").exists());
    // The checkpoint empties the log; SQLite deletes the file when its last connection
    // closes, which a loaded machine may leave to the very end. Empty or gone, it holds
    // nothing, and the copy below proves herald.db alone has everything.
    let wal = std::fs::metadata(dir.join("herald.db-wal")).map_or(0, |m| m.len());
    assert_eq!(
        wal, 0,
        "a -wal file with content is left after a clean stop"
    );
    let copy = tempfile::tempdir().unwrap();
    let copied = copy.path().join("backup.db");
    std::fs::copy(dir.join("herald.db"), &copied).unwrap();
    let store = herald::store::open(copied.to_str().unwrap()).await.unwrap();
    let components = store.components().await.unwrap();
    assert!(components.iter().any(|c| c.name == "Sell" && c.is_group));
    for c in components.iter().filter(|c| !c.is_group) {
        assert_eq!(c.status, ComponentStatus::Operational, "{}", c.name);
    }
    let incidents = store
        .incidents(&herald::store::IncidentFilter {
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let ours = incidents
        .iter()
        .find(|i| i.title == "Email delays in Sell")
        .expect("the walkthrough's incident is in the copy");
    assert_eq!(ours.status, IncidentStatus::Resolved);
    store.close().await;
}

crate::helpers::register! {
    the_readme_try_it_block_runs_as_written,
}
