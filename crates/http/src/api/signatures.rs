//! Electronic signatures (SPEC section 11): what a signed action or task completion carries,
//! and a record's signatures as they read back.

use axum::extract::Path;
use portico_service::store::Signed;
use portico_service::{SignatureInput, SignatureView, SignedWith};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{bounded_text, ok, Answer, Success};
use crate::error::Refusals;
use crate::extract::Auth;

/// `{"password": "...", "meaning": "..."}`: the signer's password entered again, and the
/// meaning the configuration names for the action or task (e.g. `Approved`). A user of single
/// sign-on, who has no password, sends `{"grant": "...", "meaning": "..."}` instead: the grant
/// re-authenticating at the identity provider gave (`GET /auth/oidc/sign`), which signs once,
/// within minutes, in the same session, the same records, action or task and meaning only.
/// Exactly one of `password` and `grant`.
#[derive(Deserialize, ToSchema)]
#[serde(try_from = "RawSignature", deny_unknown_fields)]
pub struct SignatureRequest {
    /// The signed-in user's password (the username is the session's).
    #[schema(min_length = 1, max_length = 256, nullable = false)]
    password: Option<String>,
    /// Instead of the password: the grant of re-authenticating at the identity provider.
    #[schema(min_length = 1, max_length = 256, nullable = false)]
    grant: Option<String>,
    /// What the signature means; must be the configured meaning.
    #[schema(min_length = 1, max_length = 100)]
    meaning: String,
}

/// A signature as it comes, before exactly one proof is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    #[serde(default, deserialize_with = "some_bounded_text::<_, 256>")]
    password: Option<String>,
    #[serde(default, deserialize_with = "some_bounded_text::<_, 256>")]
    grant: Option<String>,
    #[serde(deserialize_with = "bounded_text::<_, 100>")]
    meaning: String,
}

fn some_bounded_text<'de, D: serde::Deserializer<'de>, const MAX: usize>(
    d: D,
) -> Result<Option<String>, D::Error> {
    bounded_text::<D, MAX>(d).map(Some)
}

impl TryFrom<RawSignature> for SignatureRequest {
    type Error = &'static str;

    fn try_from(r: RawSignature) -> Result<Self, Self::Error> {
        if r.password.is_some() == r.grant.is_some() {
            return Err("a signature carries either \"password\" or \"grant\" (users of single sign-on), and one of them only");
        }
        Ok(SignatureRequest {
            password: r.password,
            grant: r.grant,
            meaning: r.meaning,
        })
    }
}

impl From<SignatureRequest> for SignatureInput {
    fn from(s: SignatureRequest) -> Self {
        let with = match (s.password, s.grant) {
            (Some(p), _) => SignedWith::Password(p),
            (None, g) => SignedWith::Grant(g.unwrap_or_default()),
        };
        SignatureInput {
            with,
            meaning: s.meaning,
        }
    }
}

/// One signature of a record, with its manifestation.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    id: String,
    /// The signer's user id.
    signer: String,
    /// The signer's name as printed with the signature.
    printed_name: String,
    /// What the signature means, e.g. `Approved`.
    meaning: String,
    /// When it was made: RFC 3339 with its offset.
    #[schema(format = DateTime)]
    signed_at: String,
    /// The lifecycle action signed (absent for a task's completion).
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<String>,
    /// The task whose completion was signed (absent for an action).
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<String>,
    /// SHA-256 (hex) of the record as signed: its fields (not its state) and, for a task, the
    /// task's response, as canonical JSON.
    record_hash: String,
    /// Whether the record still hashes to `record_hash`: `false` when it changed after the
    /// signature (the signature refers to an earlier version), or when the signature was not
    /// made on this record.
    current: bool,
    /// `printed name — meaning — date and time` (21 CFR 11.50).
    manifestation: String,
}

impl From<SignatureView> for Signature {
    fn from(v: SignatureView) -> Self {
        let manifestation = v.manifestation();
        let (action, task) = match v.row.signed {
            Signed::Action(a) => (Some(a), None),
            Signed::Task(t) => (None, Some(t.to_string())),
        };
        Signature {
            id: v.row.id,
            signer: v.row.signer.to_string(),
            printed_name: v.row.printed_name,
            meaning: v.row.meaning,
            signed_at: v.row.signed_at,
            action,
            task,
            record_hash: v.row.record_hash,
            current: v.current,
            manifestation,
        }
    }
}

/// A record's electronic signatures, oldest first
#[utoipa::path(get, path = "/vobjects/{object}/{id}/signatures", responses((status = 200, body = Success<Vec<Signature>>), Refusals))]
pub async fn list_signatures(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Vec<Signature>> {
    let views = app.signatures(&caller, &object, &id).await?;
    Ok(ok(views.into_iter().map(Signature::from).collect()))
}
