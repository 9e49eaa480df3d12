//! Integration tests: the real app over HTTP on a random port, a fresh database each.
//! PostgreSQL tests run when HERALD_TEST_POSTGRES_URL is set and print a notice otherwise.

mod helpers;

mod api_errors;
mod auth;
mod cli;
mod counting;
mod locales;
mod maintenance;
mod public;
mod readyz;
mod seed;
mod store_conformance;
mod writes;
