//! In-process HTTP tests of the mock: `app(state).oneshot(request)` with a manual clock.

mod support;

mod app2app;
mod bad_input;
mod batch;
mod browser;
mod cli;
mod connections;
mod control;
mod coverage;
mod coverage_mishandled;
mod data_dir;
mod direct;
mod hardening;
mod isolation;
mod oauth;
mod openapi;
mod scenarios;
mod state_file;
mod storno;
mod tasks;
