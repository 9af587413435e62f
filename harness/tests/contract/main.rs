//! Contract tests: the real gptom-client against the mock, one mock per test.

mod applink;
mod load;
mod model;
mod properties;
mod scenarios;
mod sdk;
mod snapshots;
mod verify;
