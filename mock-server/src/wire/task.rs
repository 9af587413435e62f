//! A task as GP tom's clients see it (`CloudTaskDetailApiResponse`): the serde body for the
//! OpenAPI document, the control plane and the live page, and the hand-written rendering of the
//! hot path (polls and creations).
//!
//! Invariant: both give the same document for the same view (`tests` below).

use super::json::{write_json_str, write_json_u64};
use crate::domain::ids::{format_uuid, write_uuid};
use crate::domain::task::TaskError;
use crate::store::TaskView;
use serde::Serialize;

/// `CloudTaskDetailApiResponse` as the mock renders it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CloudTaskDetailApiResponse)]
pub struct TaskBody {
    /// `taskId`.
    #[schema(format = "uuid")]
    pub task_id: String,
    /// `TRANSACTION` | `BATCH`.
    #[schema(value_type = crate::schema::TaskType)]
    pub task_type: &'static str,
    /// State.
    #[schema(value_type = super::openapi_types::TaskStateWords)]
    pub state: &'static str,
    /// Terminal.
    #[schema(example = "999888")]
    pub tid: String,
    /// Created, ISO 8601.
    #[schema(format = DateTime)]
    pub created: String,
    /// Updated, ISO 8601.
    #[schema(format = DateTime)]
    pub updated: String,
    /// Transaction, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = "uuid")]
    pub transaction_id: Option<String>,
    /// Closed batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<u32>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<super::openapi_types::TaskErrorShape>)]
    pub error: Option<TaskError>,
}

/// A task's body from the store's view.
#[must_use]
pub fn task_body(view: &TaskView<'_>) -> TaskBody {
    TaskBody {
        task_id: format_uuid(view.task_id),
        task_type: view.task_type,
        state: view.state,
        tid: view.tid.to_string(),
        created: view.created.to_iso(),
        updated: view.updated.to_iso(),
        transaction_id: view.transaction_id.map(format_uuid),
        batch_number: view.batch_number,
        error: view.error.cloned(),
    }
}

/// A task's JSON document, rendered straight from the store's view (field order as
/// [`TaskBody`]'s).
#[must_use]
pub fn task_json(view: &TaskView<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(320);
    out.extend_from_slice(b"{\"taskId\":\"");
    write_uuid(view.task_id, &mut out);
    out.extend_from_slice(b"\",\"taskType\":\"");
    out.extend_from_slice(view.task_type.as_bytes());
    out.extend_from_slice(b"\",\"state\":\"");
    out.extend_from_slice(view.state.as_bytes());
    out.extend_from_slice(b"\",\"tid\":");
    write_json_str(view.tid, &mut out);
    out.extend_from_slice(b",\"created\":\"");
    let created = out.len();
    view.created.write_iso(&mut out);
    let created = created..out.len();
    out.extend_from_slice(b"\",\"updated\":\"");
    if view.updated == view.created {
        // A task just created (or not changed since): the same text again.
        out.extend_from_within(created);
    } else {
        view.updated.write_iso(&mut out);
    }
    out.push(b'"');
    if let Some(id) = view.transaction_id {
        out.extend_from_slice(b",\"transactionId\":\"");
        write_uuid(id, &mut out);
        out.push(b'"');
    }
    if let Some(number) = view.batch_number {
        out.extend_from_slice(b",\"batchNumber\":");
        write_json_u64(u64::from(number), &mut out);
    }
    if let Some(error) = view.error {
        out.extend_from_slice(b",\"error\":{\"code\":");
        write_json_u64(u64::from(error.code), &mut out);
        out.extend_from_slice(b",\"platform\":");
        write_json_str(error.platform, &mut out);
        out.extend_from_slice(b",\"message\":");
        write_json_str(&error.message, &mut out);
        out.push(b'}');
    }
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::Millis;
    use crate::domain::task::TaskError;

    #[test]
    fn the_direct_rendering_is_the_serde_document() {
        let error = TaskError {
            code: 65,
            platform: "TERMINAL",
            message: "Timeout \"quoted\" \\ back\nslash\t\u{1}\u{1f} ž €".into(),
        };
        let views = [
            TaskView {
                task_id: 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
                task_type: "TRANSACTION",
                state: "NEW",
                tid: &Arc::from("999888"),
                created: Millis(0),
                updated: Millis(1_768_467_600_123),
                transaction_id: None,
                batch_number: None,
                error: None,
            },
            TaskView {
                task_id: u128::MAX,
                task_type: "TRANSACTION",
                state: "COMPLETED",
                tid: &Arc::from("t\"id"),
                created: Millis(-1),
                updated: Millis(253_402_300_799_999),
                transaction_id: Some(7),
                batch_number: None,
                error: None,
            },
            TaskView {
                task_id: 1,
                task_type: "BATCH",
                state: "ERROR",
                tid: &Arc::from("777666"),
                created: Millis(86_400_000),
                updated: Millis(86_400_001),
                transaction_id: None,
                batch_number: Some(u32::MAX),
                error: Some(&error),
            },
            TaskView {
                task_id: 2,
                task_type: "TRANSACTION",
                state: "NEW",
                tid: &Arc::from("999888"),
                created: Millis(1_768_467_600_123),
                updated: Millis(1_768_467_600_123),
                transaction_id: None,
                batch_number: None,
                error: None,
            },
        ];
        for view in &views {
            let direct: serde_json::Value =
                serde_json::from_slice(&task_json(view)).expect("valid JSON");
            let serde = serde_json::to_value(task_body(view)).expect("serialises");
            assert_eq!(direct, serde);
        }
    }
}
