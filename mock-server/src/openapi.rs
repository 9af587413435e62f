//! The OpenAPI 3.1 document of the mock: the emulated GP tom API (tag `Cloud API`, `App-to-app`)
//! and the control plane (tag `Control plane`), generated from the handlers' `#[utoipa::path]`
//! attributes and the wire types' `ToSchema` derives. Served at `GET /openapi.json`; the committed
//! copy `fixtures/openapi.json` is checked against it by a test.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    app2app, batches, control, coverage, oauth, tasks, transactions, transfer, ui,
};

pub use crate::schema::{
    AppStatus, CloudTransactionType, GrantType, OAuthErrorCode, Platform, TaskType,
};

/// The header every answer carries.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gptom-mock",
        description = "A stateful test double of GP tom's Cloud API (Global Payments, CZ/SK) and of its app-to-app deep links, plus the mock's own control plane under `/__mock/`.\n\nWhat GP tom documents and what the mock chooses where it is silent: `shared/spec/gptom-api.md`. Scenario faults (`faults:` in a scenario) may answer any status, or a malformed body, on purpose; they are off by default.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "gptom-mock on its default address")),
    paths(
        oauth::create_token,
        tasks::create_transaction_task,
        tasks::create_batch_task,
        tasks::get_task,
        transactions::get_transaction,
        batches::get_batch,
        app2app::open_deep_link,
        control::reset,
        control::get_clock,
        control::advance_clock,
        control::list_requests,
        control::clear_requests,
        control::get_state,
        transfer::export_state,
        transfer::import_state,
        control::health,
        control::verify,
        coverage::coverage,
        control::get_scenario,
        control::put_scenario,
        control::delete_scenario,
        control::decide_task,
        ui::page,
        ui::events,
        ui::get_view,
        ui::set_all_manual,
        ui::set_terminal_manual,
        openapi_json,
        crate::routes::front::index,
    ),
    components(schemas(crate::wire::openapi_types::FieldErrorShape)),
    tags(
        (name = "Cloud API", description = "GP tom's Cloud API: OAuth token per terminal, tasks, transactions, batches."),
        (name = "App-to-app", description = "GP tom's `gptom://` deep links, opened over HTTP."),
        (name = "Control plane", description = "The mock's own controls: reset, virtual clock, journal, scenarios, the virtual terminal. Locked with `--admin-token` when one is set."),
    ),
    modifiers(&CommonResponses),
)]
struct ApiDoc;

/// What every operation of a kind answers, added here once rather than on each handler: security
/// schemes; GP tom's second token path; the bearer refusal of `/v1/*`; the admin-lock refusal of
/// the control plane; 413/415 where a body is taken; the wire profile's other creation statuses;
/// and the `X-Request-Id` header on every answer.
struct CommonResponses;

fn error_response(
    description: &str,
    schema: &str,
    challenge: Option<&str>,
) -> RefOr<utoipa::openapi::Response> {
    let mut builder = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .build(),
    );
    if let Some(challenge) = challenge {
        builder = builder.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(challenge))
                .build(),
        );
    }
    RefOr::T(builder.build())
}

/// The refusals and alternatives an operation at `path` has besides its own.
fn common_responses(path: &str, operation: &mut Operation) {
    // Who may call follows the routing, as the locks do: the bearer extractor on `/v1/*`, the
    // admin lock on the `/__mock/*` router (open unless `--admin-token` is set).
    if path.starts_with("/v1/") {
        operation.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
    if path.starts_with("/__mock/") {
        operation.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("admin", Vec::<String>::new()),
        ]);
    }
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, response: RefOr<utoipa::openapi::Response>| {
        responses.entry(status.to_owned()).or_insert(response);
    };
    if path.starts_with("/v1/") {
        add(
            "401",
            error_response(
                "Missing, malformed, tampered or expired bearer token, or one of a terminal that no longer exists",
                "OAuthErrorResponse",
                Some("`Bearer realm=\"gptom\", error=\"invalid_token\", error_description=\"…\"`"),
            ),
        );
    }
    if path.starts_with("/__mock/") {
        add(
            "401",
            error_response(
                "The control plane is locked (`--admin-token`) and no valid token was given",
                "ErrorResponse",
                None,
            ),
        );
    }
    if let Some(RefOr::T(body)) = &operation.request_body {
        add(
            "413",
            error_response(
                "The body exceeds the limit (64 KiB by default)",
                "ErrorResponse",
                None,
            ),
        );
        if body.content.contains_key("application/json") {
            add(
                "415",
                error_response("Not `application/json`", "ErrorResponse", None),
            );
        }
    }
    if let Some(RefOr::T(created)) = responses.get("201").cloned() {
        for status in ["200", "202"] {
            let mut alternative = created.clone();
            alternative.description = format!(
                "{} — when the scenario's `wire.create_status` is {status}",
                created.description
            );
            responses
                .entry(status.to_owned())
                .or_insert(RefOr::T(alternative));
        }
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `access_token` of `POST /cloud/oauth/token` (HS256; checked for signature, expiry and terminal).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "The integrator's client credentials (GP tom's example: `atom:ashfuf4e5fa`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "admin",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Admin-Token",
                "The `--admin-token` (also accepted as `Authorization: Bearer` or `?admin_token=`).",
            ))),
        );
        // GP tom documents the refresh at `/api/oauth/token`; both paths take both grants.
        if let Some(mut item) = openapi.paths.paths.get("/cloud/oauth/token").cloned() {
            if let Some(operation) = item.post.as_mut() {
                operation.operation_id = Some("refreshToken".into());
                operation.summary = Some(
                    "`POST /api/oauth/token`: GP tom's refresh (refresh grant); the password grant works too."
                        .into(),
                );
            }
            openapi.paths.paths.insert("/api/oauth/token".into(), item);
        }
        // A BATCH body is an object or nothing at all (`null` is refused): optional, not nullable.
        if let Some(RefOr::T(body)) = openapi
            .paths
            .paths
            .get_mut("/v1/tasks/BATCH")
            .and_then(|item| item.post.as_mut())
            .and_then(|operation| operation.request_body.as_mut())
        {
            body.required = Some(utoipa::openapi::Required::False);
        }
        let request_id = HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(
                "The caller's `X-Request-Id` echoed, or one the mock assigns (`req-00000001`).",
            ))
            .build();
        for (path, item) in &mut openapi.paths.paths {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                if path != "/openapi.json" {
                    common_responses(path, operation);
                }
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response
                            .headers
                            .insert(REQUEST_ID_HEADER.to_owned(), RefOr::T(request_id.clone()));
                    }
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
        + "\n"
});

/// The document as pretty JSON (generated once per process).
#[must_use]
pub fn document() -> &'static str {
    &DOCUMENT
}

/// The document as a value, for tools and tests.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "Control plane",
    responses((status = 200, description = "The OpenAPI 3.1 document of the mock", content_type = "application/json", body = Object)),
)]
pub async fn openapi_json() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        document(),
    )
        .into_response()
}
