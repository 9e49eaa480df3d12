use std::process::ExitCode;

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
