//! Who is calling: each caller holds a token bound to an actor (id, roles, unit). Only the
//! token's SHA-256 is kept (tokens are 256 random bits, so a plain hash cannot be reversed by
//! guessing). The server writes the token's actor into every request that names one and
//! refuses a request naming anyone else, so nobody becomes a supervisor by typing the word.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

/// An actor as the configuration binds it to a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorConfig {
    /// The actor id written into every request.
    pub id: String,
    /// Its roles in the workflows.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Its unit in the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One token of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// `sha256:<hex>` of the token.
    pub hash: String,
    /// The actor it acts as.
    pub actor: ActorConfig,
    /// May load definitions and run the timer and follow-up ops by hand.
    #[serde(default)]
    pub admin: bool,
}

/// The token's hash as the configuration keeps it.
pub fn hash_token(token: &str) -> String {
    format!(
        "sha256:{}",
        civicflow::hex(&Sha256::digest(token.as_bytes()).into())
    )
}

/// A new token: 32 random bytes, hex, with a prefix that secret scanners recognise.
///
/// # Errors
/// When the operating system has no randomness to give.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(format!("cf_{}", civicflow::hex(&bytes)))
}

/// A refused call: its HTTP status, code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub path: &'static str,
}

impl Refusal {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
            path: "",
        }
    }

    /// The refusal as the JSON API answers failures.
    pub fn answer(&self) -> Json {
        json!({"ok": false, "errors": [{"code": self.code, "message": self.message, "path": self.path}]})
    }
}

/// The caller a token stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub actor: ActorConfig,
    pub admin: bool,
    /// Open311 `api_key`s: they open cases and read, nothing else.
    pub intake_only: bool,
}

/// Ops whose requests name an actor: the token's is written in.
const ACTOR_OPS: &[&str] = &[
    "open_case",
    "apply",
    "available_transitions",
    "extend",
    "link_cases",
    "submit_opinion",
    "supervise",
    "answer_supervision",
];
/// Ops that change the rules or stand in for the server's own jobs.
const ADMIN_OPS: &[&str] = &[
    "load_workflow",
    "load_calendar",
    "load_org",
    "fire_due",
    "follow_primary",
];

/// The caller of an `Authorization: Bearer <token>` header.
///
/// # Errors
/// 401 `auth.missing_token` or `auth.unknown_token`.
pub fn authenticate(tokens: &[TokenEntry], header: Option<&str>) -> Result<Caller, Refusal> {
    let token = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Refusal::new(
                401,
                "auth.missing_token",
                "send `Authorization: Bearer <token>`",
            )
        })?;
    let hash = hash_token(token);
    tokens
        .iter()
        .find(|t| t.hash == hash)
        .map(|t| Caller {
            actor: t.actor.clone(),
            admin: t.admin,
            intake_only: false,
        })
        .ok_or_else(|| {
            Refusal::new(
                401,
                "auth.unknown_token",
                "the token is not one this server knows",
            )
        })
}

/// Checks that `caller` may send `request` and writes its actor in.
///
/// # Errors
/// 403 `auth.impersonation` (the request names another actor, or other roles or unit),
/// `auth.admin_only`, `auth.intake_only`.
pub fn authorize(caller: &Caller, request: &mut Json) -> Result<(), Refusal> {
    let op = request
        .get("op")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    if caller.intake_only && !matches!(op.as_str(), "open_case" | "get_case" | "public_view") {
        return Err(Refusal::new(
            403,
            "auth.intake_only",
            format!("an intake key may not send `{op}`"),
        ));
    }
    if ADMIN_OPS.contains(&op.as_str()) && !caller.admin {
        return Err(Refusal::new(
            403,
            "auth.admin_only",
            format!("`{op}` needs an admin token"),
        ));
    }
    if !ACTOR_OPS.contains(&op.as_str()) {
        return Ok(());
    }
    let own = serde_json::to_value(&caller.actor).unwrap_or(Json::Null);
    if let Some(named) = request.get("actor") {
        if !same_actor(named, &caller.actor) {
            let mut refusal = Refusal::new(
                403,
                "auth.impersonation",
                format!("the token acts as {own}; the request names {named}"),
            );
            refusal.path = "/actor";
            return Err(refusal);
        }
    }
    if let Some(body) = request.as_object_mut() {
        body.insert("actor".into(), own);
    }
    Ok(())
}

/// Whether a request's actor is the token's: same id, and the same roles and unit where it
/// names them.
fn same_actor(named: &Json, own: &ActorConfig) -> bool {
    let Ok(named) = serde_json::from_value::<ActorConfig>(named.clone()) else {
        return false;
    };
    let mut roles = named.roles.clone();
    let mut own_roles = own.roles.clone();
    roles.sort();
    own_roles.sort();
    named.id == own.id
        && (named.roles.is_empty() || roles == own_roles)
        && (named.unit.is_none() || named.unit == own.unit)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn tokens() -> (String, Vec<TokenEntry>) {
        let token = new_token().unwrap();
        let actor = ActorConfig {
            id: "clerk-01".into(),
            roles: vec!["clerk".into()],
            unit: Some("town".into()),
        };
        (
            token.clone(),
            vec![TokenEntry {
                hash: hash_token(&token),
                actor,
                admin: false,
            }],
        )
    }

    #[test]
    fn tokens_are_random_and_kept_only_as_hashes() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("cf_") && a.len() == 67);
        assert!(hash_token(&a).starts_with("sha256:") && !hash_token(&a).contains(&a[3..]));
    }

    #[test]
    fn a_request_acts_as_its_token_and_no_one_else() {
        let (token, tokens) = tokens();
        let caller = authenticate(&tokens, Some(&format!("Bearer {token}"))).unwrap();
        let mut request = json!({"op": "apply", "case_id": "T-1", "transition": "close"});
        authorize(&caller, &mut request).unwrap();
        assert_eq!(
            request["actor"],
            json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"})
        );
        let mut same = json!({"op": "apply", "actor": {"id": "clerk-01"}});
        authorize(&caller, &mut same).unwrap();
        for actor in [
            json!({"id": "sup-01"}),
            json!({"id": "clerk-01", "roles": ["supervisor"]}),
            json!({"id": "clerk-01", "unit": "district"}),
            json!("clerk-01"),
        ] {
            let mut request = json!({"op": "supervise", "actor": actor});
            let refusal = authorize(&caller, &mut request).unwrap_err();
            assert_eq!((refusal.status, refusal.code), (403, "auth.impersonation"));
        }
        let mut load = json!({"op": "load_org", "org": {}});
        assert_eq!(
            authorize(&caller, &mut load).unwrap_err().code,
            "auth.admin_only"
        );
    }

    #[test]
    fn missing_and_unknown_tokens_are_refused() {
        let (_, tokens) = tokens();
        for header in [None, Some("Bearer "), Some("Basic abc")] {
            assert_eq!(
                authenticate(&tokens, header).unwrap_err().code,
                "auth.missing_token"
            );
        }
        assert_eq!(
            authenticate(&tokens, Some("Bearer cf_nope"))
                .unwrap_err()
                .code,
            "auth.unknown_token"
        );
    }
}
