//! What the receiver logs through `tracing`: drift, as a warning rate-limited per distinct
//! drift, and events whose content the reading refuses, as errors.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::validation::Drift;
use crate::{Event, ValidationErrors};

/// The same drift (event type and differences) is logged at most once per this long: a new
/// field arrives on every event of its type, and one warning a minute says it well enough.
const DRIFT_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// Distinct drifts remembered; past this, the memory starts over (and each is logged again).
const DRIFT_LOG_CAPACITY: usize = 1024;

/// When each distinct drift was last logged, and how many times it was seen since.
#[derive(Default)]
pub(super) struct DriftLog {
    seen: Mutex<HashMap<String, (Instant, u64)>>,
}

impl DriftLog {
    /// Logs `drift` of `event` unless the same drift was logged less than a minute ago.
    pub(super) fn warn(&self, event: &Event, drift: &Drift) {
        if drift.is_empty() {
            return;
        }
        let key = format!("{} {drift}", event.event_type());
        let now = Instant::now();
        let suppressed = {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if seen.len() >= DRIFT_LOG_CAPACITY && !seen.contains_key(&key) {
                seen.clear();
            }
            match seen.get_mut(&key) {
                Some((last, count)) if now.duration_since(*last) < DRIFT_LOG_INTERVAL => {
                    *count += 1;
                    return;
                }
                Some((last, count)) => {
                    *last = now;
                    std::mem::take(count)
                }
                None => {
                    seen.insert(key, (now, 0));
                    0
                }
            }
        };
        tracing::warn!(
            id = %event.id(),
            event = %event.event_type(),
            drift = %drift.pointers(),
            seen_since_last_warning = suppressed,
            "Audian sent what this version of audian-events does not know ({drift}); the event was accepted. \
             Update the crate to read it strictly."
        );
    }
}

/// Logs an event whose envelope is valid but whose content the reading refuses.
pub(super) fn refused(bytes: &[u8], errors: &ValidationErrors, retry: bool) {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        id: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        event: std::borrow::Cow<'a, str>,
    }
    let envelope = serde_json::from_slice::<Envelope<'_>>(bytes).ok();
    let (id, event) = envelope.as_ref().map_or(("?", "?"), |envelope| (&*envelope.id, &*envelope.event));
    let errors = errors.to_string().replace('\n', "; ");
    if retry {
        tracing::error!(id, event, %errors, "refused an Audian event this receiver cannot read; answered 500 so that Audian sends it again");
    } else {
        tracing::error!(id, event, %errors, "refused an Audian event this receiver cannot read; answered 422: Audian will not send it again");
    }
}
