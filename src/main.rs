use std::process::ExitCode;

/// mimalloc: fewer instructions per allocation than glibc's malloc, and less fragmentation
/// under a rush of requests (scripts/bench-pages.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = herald::cli::Cli::parse_with_default();
    match herald::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("herald: {e:#}");
            ExitCode::FAILURE
        }
    }
}
