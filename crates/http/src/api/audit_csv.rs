//! `GET /api/v1/audit/export`: the audit trail as CSV, streamed page by page — the trail as it
//! was when the export began, oldest first, each entry once, however long it is and whatever
//! is written meanwhile.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use portico_service::store::AuditRow;
use portico_service::{AuditExport, Caller, Portico, Sentence};

use super::lists::AuditFilters;
use super::wire::time;
use crate::error::Refusals;
use crate::extract::{Auth, Query};
use crate::ApiError;

/// The columns; `description` (the entry in words, as the record page's history says it)
/// comes last, so that programs reading the others by position are unchanged.
const HEADER: [&str; 13] = [
    "id",
    "timestamp",
    "actor",
    "action",
    "object",
    "object_id",
    "record__v",
    "person__v",
    "user__v",
    "before",
    "after",
    "cause",
    "description",
];

/// What is left to send.
struct Rest {
    app: Portico,
    caller: Caller,
    export: AuditExport,
    /// A page read but not sent yet (the first one), with its sentences.
    read: Option<(Vec<AuditRow>, Vec<Sentence>)>,
    header: bool,
    done: bool,
}

/// The audit trail as CSV
///
/// Oldest first, the trail as it was when the export began.
#[utoipa::path(get, path = "/audit/export", params(AuditFilters), responses((status = 200, description = "RFC 4180 CSV with a header row", content_type = "text/csv", body = String), Refusals))]
pub async fn export(
    Auth(app, caller): Auth,
    Query(filters): Query<AuditFilters>,
) -> Result<Response, ApiError> {
    let mut export = app.audit_export(&caller, filters.into()).await?;
    // The first page is read before the answer starts: a refusal or a failure that early is
    // still an error answer, not a 200 with a cut body.
    let first = export.next_page().await?;
    let said = app.describe_audit(&caller, &first).await?;
    let rest = Rest {
        app,
        caller,
        export,
        read: Some((first, said)),
        header: true,
        done: false,
    };
    let body = stream::unfold(rest, |mut rest| async move {
        if rest.done {
            return None;
        }
        let read = match rest.read.take() {
            Some(read) => Ok(read),
            None => match rest.export.next_page().await {
                Ok(rows) => rest
                    .app
                    .describe_audit(&rest.caller, &rows)
                    .await
                    .map(|said| (rows, said)),
                Err(e) => Err(e),
            },
        };
        let (rows, said) = match read {
            Ok(read) => read,
            Err(e) => {
                // The status is sent already: end the body with an error, so that the
                // client sees a broken transfer rather than a file that looks complete.
                tracing::error!(error = %e, "the audit export stopped");
                rest.done = true;
                return Some((Err(std::io::Error::other("the audit export stopped")), rest));
            }
        };
        if rows.is_empty() && !rest.header {
            return None;
        }
        let chunk = csv_chunk(rest.header, &rows, &said);
        rest.header = false;
        rest.done = chunk.is_err();
        Some((chunk, rest))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portico-audit.csv\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// One page as CSV (RFC 4180, CRLF), with the header row first when `header`.
fn csv_chunk(header: bool, rows: &[AuditRow], said: &[Sentence]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if header {
        w.write_record(HEADER)?;
    }
    for (r, sentence) in rows.iter().zip(said) {
        let e = &r.entry;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            r.seq.to_string(),
            time(e.at),
            text(&e.actor),
            e.action.clone(),
            e.object.clone(),
            e.object_id.clone(),
            text(&e.record),
            text(&e.person),
            text(&e.user),
            text(&e.before),
            text(&e.after),
            text(&e.cause),
            sentence.to_string(),
        ];
        w.write_record(cells.iter().map(|c| formula_guard(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// A cell a spreadsheet would run as a formula (or that hides one behind a tab or a line
/// break) starts with `'`, so that it is shown as text.
pub(crate) fn formula_guard(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_service::store::AuditEntry;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        let row = AuditRow {
            seq: 7,
            chain_seq: Some(7),
            entry: AuditEntry {
                at: 0,
                actor: Some("=cmd|' /C calc'!A0".into()),
                action: "record.created".into(),
                object: "+1".into(),
                object_id: "-1".into(),
                record: Some("@SUM(A1)".into()),
                after: Some("{\"name__v\":\"a,b\"}".into()),
                cause: Some("\tx".into()),
                ..AuditEntry::default()
            },
        };
        let said = Sentence {
            parts: vec![portico_service::Part::Text(
                "=Anna Berg created a record".into(),
            )],
            folded: false,
        };
        let csv = String::from_utf8(csv_chunk(true, &[row], &[said]).unwrap()).unwrap();
        assert_eq!(
            csv,
            "id,timestamp,actor,action,object,object_id,record__v,person__v,user__v,before,after,cause,description\r\n\
             7,1970-01-01T00:00:00.000Z,'=cmd|' /C calc'!A0,record.created,'+1,'-1,'@SUM(A1),,,,\"{\"\"name__v\"\":\"\"a,b\"\"}\",'\tx,'=Anna Berg created a record\r\n"
        );
    }
}
