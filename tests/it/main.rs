//! Integration tests: the real app over HTTP on a random port, a fresh database each.
//!
//! A custom harness (libtest-mimic, `harness = false`): each file lists its tests with
//! `helpers::register!`, and a behaviour meant for both databases becomes two tests,
//! `…::sqlite` and `…::postgres`. Without HERALD_TEST_POSTGRES_URL the PostgreSQL ones are
//! reported as *ignored*, tagged `[HERALD_TEST_POSTGRES_URL unset]`, never as passed.

// A test reads as one story, set-up to last check; the 80-line limit is for the product code.
#![allow(clippy::too_many_lines)]

mod api_errors;
mod api_v1_locale;
mod api_v2;
mod auth;
mod badge;
mod browser;
mod cache;
mod cli;
mod console;
mod console_admin;
mod console_screens;
mod counting;
mod feeds;
mod first_hour;
mod floods;
mod hardening_faults;
mod hardening_input;
mod helpers;
mod history_paging;
mod locales;
mod maintenance;
mod mirror;
mod openapi;
mod public;
mod query_plans;
mod races;
mod readme;
mod readyz;
mod seed;
mod store_conformance;
mod visitors;
mod web_safety;
mod writes;

fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    helpers::announce_skips();
    let mut trials = vec![libtest_mimic::Trial::test(
        "every_test_is_registered",
        every_test_is_registered,
    )];
    for tests in [
        api_errors::tests,
        api_v1_locale::tests,
        api_v2::tests,
        auth::tests,
        badge::tests,
        browser::tests,
        cache::tests,
        cli::tests,
        console::tests,
        console_admin::tests,
        console_screens::tests,
        feeds::tests,
        first_hour::tests,
        floods::tests,
        hardening_faults::tests,
        hardening_input::tests,
        history_paging::tests,
        locales::tests,
        maintenance::tests,
        mirror::tests,
        openapi::tests,
        public::tests,
        query_plans::tests,
        races::tests,
        readme::tests,
        readyz::tests,
        seed::tests,
        store_conformance::tests,
        visitors::tests,
        web_safety::tests,
        writes::tests,
    ] {
        trials.extend(tests());
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// With `harness = false` a `#[test]` or `#[tokio::test]` function is compiled out, not run:
/// this fails instead of letting such a test pass unseen. Tests go in their file's `register!`.
fn every_test_is_registered() -> Result<(), libtest_mimic::Failed> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut unregistered = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
                unregistered.push(format!("{}:{}", path.display(), n + 1));
            }
        }
    }
    if unregistered.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "test attributes do nothing under this harness; list these in the file's \
             `register!` instead: {unregistered:?}"
        )
        .into())
    }
}
