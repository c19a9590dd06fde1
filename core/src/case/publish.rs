//! Releases that fan out (双微联动): a transition with `publish` names a list field of
//! channels, and taking it queues one `publish` effect per channel, so the WeChat, Weibo, web
//! and app accounts release the same content from the same event.

use crate::case::handling::carried_value;
use crate::case::{Case, CaseError};
use crate::value::Value;
use crate::workflow::Transition;

/// The distinct channels of list field `field`, in the order listed: the payload's value when
/// the transition takes the field (`set` or `requires`) and the command gives it, else the
/// case's (a correction goes where the release went).
pub(crate) fn publish_channels<'a>(
    case: &'a Case,
    transition: &Transition,
    field: u16,
    payload: &'a [(u16, Value)],
) -> Vec<&'a str> {
    let value = carried_value(case, transition.takes(field), field, payload);
    let mut channels: Vec<&str> = Vec::new();
    if let Some(Value::List(list)) = value {
        for c in list.iter().map(|c| &**c) {
            if !channels.contains(&c) {
                channels.push(c);
            }
        }
    }
    channels
}

impl Case {
    /// Refuses a publishing transition with no channel to publish to.
    pub(crate) fn check_publish(
        &self,
        t: &Transition,
        field: u16,
        payload: &[(u16, Value)],
    ) -> Result<(), CaseError> {
        if publish_channels(self, t, field, payload).is_empty() {
            let field = self.workflow.field(field).map_or("", |f| &f.id).to_owned();
            return Err(CaseError::NoChannels {
                transition: t.id.to_string(),
                field,
            });
        }
        Ok(())
    }
}
