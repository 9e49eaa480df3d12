//! Integration tests: the real app over HTTP on a random port, a fresh database each.
//! PostgreSQL tests run when HERALD_TEST_POSTGRES_URL is set and print a notice otherwise.

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
