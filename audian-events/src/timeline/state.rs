//! [`CallState`], and the fold that computes it from a timeline.

use crate::{
    ByteCount, CallId, CallStatus, CallType, DurationSeconds, Event, FailureReason, MenuId, PhoneNumber, RecordingId,
    Timestamp,
};

/// What a call's events say about it, as of the events received so far.
///
/// Computed by [`CallTimeline::state`](super::CallTimeline::state) from the set of events: the
/// same events give the same state, whatever their order of arrival. See the
/// [module documentation](super) for the state machine. Fields are `None` (or empty) until an
/// event tells them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallState {
    /// The call.
    pub call_id: CallId,
    /// Where the call is in its lifecycle; `None` when no lifecycle event (`call.initiated`,
    /// `call.ringing`, `call.answered`, or one that ends the call) has arrived. Never goes back,
    /// and a terminal status (`Completed`, `Failed`, `Cancelled`) never changes.
    pub status: Option<CallStatus>,
    /// Inbound or outbound, from `call.initiated`.
    pub call_type: Option<CallType>,
    /// The caller, from the first of `call.initiated`, `call.completed` or `call.failed` (in
    /// timeline order).
    pub from: Option<PhoneNumber>,
    /// The number called, likewise; a transfer does not change it (see
    /// [`transfers`](CallState::transfers)).
    pub to: Option<PhoneNumber>,
    /// When the call was initiated, from `call.initiated`.
    pub initiated_at: Option<Timestamp>,
    /// When the destination started ringing, from `call.ringing`.
    pub ringing_at: Option<Timestamp>,
    /// Who answered and when, from the first `call.answered`.
    pub answered: Option<Answer>,
    /// How the call ended, from the first of `call.completed`, `call.failed` and
    /// `call.cancelled` in timeline order.
    pub end: Option<CallEnd>,
    /// The call's duration in seconds, from the `call.completed` that ended the call.
    pub duration: Option<DurationSeconds>,
    /// Whether the call is on hold: `call.held` and `call.resumed`, the last in timeline order
    /// wins.
    pub on_hold: bool,
    /// Whether a participant is muted: `call.muted` and `call.unmuted`, the last wins.
    pub muted: bool,
    /// Every `call.transferred`, in timeline order.
    pub transfers: Vec<Transfer>,
    /// The call's recordings, one per `recording_id`, in the timeline order of their first
    /// event.
    pub recordings: Vec<Recording>,
    /// The IVR's menus, inputs and time-outs, in timeline order.
    pub ivr: Vec<IvrActivity>,
    /// How many events (distinct ids) the state is computed from.
    pub event_count: usize,
    /// The timestamp of the last event in timeline order.
    pub last_event_at: Option<Timestamp>,
}

impl CallState {
    /// Whether the call has ended (completed, failed or cancelled).
    pub fn is_finished(&self) -> bool {
        self.end.is_some()
    }
}

/// Who answered a call, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The number that answered.
    pub by: PhoneNumber,
    /// When.
    pub at: Timestamp,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallEnd {
    /// `call.completed`: the call ended normally.
    Completed {
        /// When the call ended.
        at: Timestamp,
        /// Why it ended, such as `normal`.
        reason: String,
    },
    /// `call.failed`: the call failed to connect or ended abnormally.
    Failed {
        /// When the call failed.
        at: Timestamp,
        /// Why, such as `no_answer`.
        reason: FailureReason,
        /// The numeric code of the reason, such as 408.
        reason_code: i64,
    },
    /// `call.cancelled`: the call was cancelled before being answered.
    Cancelled {
        /// When the call was cancelled.
        at: Timestamp,
        /// Who cancelled it, such as `caller`.
        by: String,
    },
}

impl CallEnd {
    /// When the call ended.
    pub fn at(&self) -> Timestamp {
        match self {
            CallEnd::Completed { at, .. } | CallEnd::Failed { at, .. } | CallEnd::Cancelled { at, .. } => *at,
        }
    }

    /// The terminal status this end gives the call.
    pub fn status(&self) -> CallStatus {
        match self {
            CallEnd::Completed { .. } => CallStatus::Completed,
            CallEnd::Failed { .. } => CallStatus::Failed,
            CallEnd::Cancelled { .. } => CallStatus::Cancelled,
        }
    }
}

/// A `call.transferred`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The number the call was transferred from.
    pub from: PhoneNumber,
    /// The number it was transferred to.
    pub to: PhoneNumber,
    /// When.
    pub at: Timestamp,
}

/// One recording of a call, from its `recording.*` events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// The recording.
    pub recording_id: RecordingId,
    /// Where the recording is in its lifecycle. Only moves forward; the first of `Completed` and
    /// `Failed` stays.
    pub status: RecordingStatus,
    /// When recording started, from `recording.started`.
    pub started_at: Option<Timestamp>,
    /// When recording stopped, from `recording.stopped`.
    pub stopped_at: Option<Timestamp>,
    /// The recording's duration in seconds, from `recording.stopped` or `recording.completed`.
    pub duration: Option<DurationSeconds>,
    /// The processed file, from `recording.completed`.
    pub file: Option<RecordingFile>,
    /// Why the recording failed, from `recording.failed`.
    pub failure: Option<RecordingFailure>,
}

/// Where a recording is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordingStatus {
    /// Recording (`recording.started`).
    Started,
    /// Stopped, being processed (`recording.stopped`).
    Stopped,
    /// Processed and available for download (`recording.completed`).
    Completed,
    /// Failed to complete (`recording.failed`).
    Failed,
}

impl RecordingStatus {
    fn rank(self) -> u8 {
        match self {
            RecordingStatus::Started => 0,
            RecordingStatus::Stopped => 1,
            RecordingStatus::Completed | RecordingStatus::Failed => 2,
        }
    }
}

/// A processed recording file, from `recording.completed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFile {
    /// Its size in bytes.
    pub size: ByteCount,
    /// Its audio format, such as `mp3`.
    pub format: String,
    /// Where to download it.
    pub download_url: String,
    /// When processing completed.
    pub completed_at: Timestamp,
}

/// A failed recording, from `recording.failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFailure {
    /// Why, such as `storage_error`.
    pub reason: String,
    /// When.
    pub failed_at: Timestamp,
}

/// One thing the IVR did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IvrActivity {
    /// `ivr.menu_presented`: a menu was presented to the caller.
    MenuPresented {
        /// The menu.
        menu_id: MenuId,
        /// Its human-readable name.
        menu_name: String,
        /// The inputs it offers.
        options: Vec<String>,
        /// When.
        at: Timestamp,
    },
    /// `ivr.input_received`: the caller gave an input.
    InputReceived {
        /// The menu.
        menu_id: MenuId,
        /// The input, such as `2`.
        input: String,
        /// How it was given, such as `dtmf`.
        input_type: String,
        /// When.
        at: Timestamp,
    },
    /// `ivr.timeout`: the menu waited for input in vain.
    TimedOut {
        /// The menu.
        menu_id: MenuId,
        /// How long it waited, in seconds.
        waited: DurationSeconds,
        /// When.
        at: Timestamp,
    },
}

/// The rank of a call status in the lifecycle; terminal statuses share the last one. The fold
/// only ever sets the statuses its events imply, none of them unknown; an unknown one would rank
/// as terminal, so that nothing after it could move it.
fn status_rank(status: &CallStatus) -> u8 {
    match status {
        CallStatus::Initiated => 0,
        CallStatus::Ringing => 1,
        CallStatus::Answered => 2,
        CallStatus::Completed | CallStatus::Failed | CallStatus::Cancelled | CallStatus::Unknown(_) => 3,
    }
}

impl CallState {
    pub(super) fn empty(call_id: &CallId) -> CallState {
        CallState {
            call_id: call_id.clone(),
            status: None,
            call_type: None,
            from: None,
            to: None,
            initiated_at: None,
            ringing_at: None,
            answered: None,
            end: None,
            duration: None,
            on_hold: false,
            muted: false,
            transfers: Vec::new(),
            recordings: Vec::new(),
            ivr: Vec::new(),
            event_count: 0,
            last_event_at: None,
        }
    }

    /// Moves the status forward to `status`, unless the call is already there, further, or
    /// ended.
    fn advance(&mut self, status: CallStatus) {
        let further = match &self.status {
            None => true,
            Some(current) => status_rank(&status) > status_rank(current),
        };
        if further {
            self.status = Some(status);
        }
    }

    fn parties(&mut self, from: &PhoneNumber, to: &PhoneNumber) {
        self.from.get_or_insert_with(|| from.clone());
        self.to.get_or_insert_with(|| to.clone());
    }

    fn end(&mut self, end: CallEnd, duration: Option<DurationSeconds>) {
        if self.end.is_none() {
            self.advance(end.status());
            self.end = Some(end);
            self.duration = duration;
        }
    }

    fn recording(&mut self, recording_id: &RecordingId) -> &mut Recording {
        let index = match self.recordings.iter().position(|recording| recording.recording_id == *recording_id) {
            Some(index) => index,
            None => {
                self.recordings.push(Recording {
                    recording_id: recording_id.clone(),
                    status: RecordingStatus::Started,
                    started_at: None,
                    stopped_at: None,
                    duration: None,
                    file: None,
                    failure: None,
                });
                self.recordings.len() - 1
            }
        };
        &mut self.recordings[index]
    }
}

impl Recording {
    fn advance(&mut self, status: RecordingStatus) {
        if status.rank() > self.status.rank() {
            self.status = status;
        }
    }
}

/// The state told by `events`, which must be in timeline order.
pub(super) fn fold<'a>(call_id: &CallId, events: impl Iterator<Item = &'a Event>) -> CallState {
    let mut state = CallState::empty(call_id);
    for event in events {
        state.event_count += 1;
        state.last_event_at = Some(event.timestamp());
        apply(&mut state, event);
    }
    state
}

/// Folds what `event` tells into `state`, beside counting it; whether it has an arm here.
///
/// Which event types have one is said by `TIMELINE_TABLE` (`table.rs`), whose test checks this
/// function against it: the last arm takes the event types the table says are only counted, and
/// those this version does not know.
pub(super) fn apply(state: &mut CallState, event: &Event) -> bool {
    match event {
        Event::CallInitiated(e) => {
            state.advance(CallStatus::Initiated);
            state.call_type.get_or_insert_with(|| e.data.call_type.clone());
            state.parties(&e.data.from, &e.data.to);
            state.initiated_at.get_or_insert(e.data.initiated_at);
        }
        Event::CallRinging(e) => {
            state.advance(CallStatus::Ringing);
            state.ringing_at.get_or_insert(e.data.ringing_at);
        }
        Event::CallAnswered(e) => {
            state.advance(CallStatus::Answered);
            state.answered.get_or_insert_with(|| Answer { by: e.data.answered_by.clone(), at: e.data.answered_at });
        }
        Event::CallCompleted(e) => {
            state.parties(&e.data.from, &e.data.to);
            let end = CallEnd::Completed { at: e.data.ended_at, reason: e.data.completion_reason.clone() };
            state.end(end, Some(e.data.duration));
        }
        Event::CallFailed(e) => {
            state.parties(&e.data.from, &e.data.to);
            let end = CallEnd::Failed {
                at: e.data.failed_at,
                reason: e.data.reason.clone(),
                reason_code: e.data.reason_code,
            };
            state.end(end, None);
        }
        Event::CallCancelled(e) => {
            let end = CallEnd::Cancelled { at: e.data.cancelled_at, by: e.data.cancelled_by.clone() };
            state.end(end, None);
        }
        Event::CallTransferred(e) => state.transfers.push(Transfer {
            from: e.data.transfer_from.clone(),
            to: e.data.transfer_to.clone(),
            at: e.data.transferred_at,
        }),
        Event::CallHeld(_) => state.on_hold = true,
        Event::CallResumed(_) => state.on_hold = false,
        Event::CallMuted(_) => state.muted = true,
        Event::CallUnmuted(_) => state.muted = false,
        Event::RecordingStarted(e) => {
            let recording = state.recording(&e.data.recording_id);
            recording.started_at.get_or_insert(e.data.started_at);
        }
        Event::RecordingStopped(e) => {
            let recording = state.recording(&e.data.recording_id);
            recording.advance(RecordingStatus::Stopped);
            recording.stopped_at.get_or_insert(e.data.stopped_at);
            recording.duration.get_or_insert(e.data.duration);
        }
        Event::RecordingCompleted(e) => {
            let recording = state.recording(&e.data.recording_id);
            recording.advance(RecordingStatus::Completed);
            recording.duration.get_or_insert(e.data.duration);
            recording.file.get_or_insert_with(|| RecordingFile {
                size: e.data.file_size,
                format: e.data.file_format.clone(),
                download_url: e.data.download_url.clone(),
                completed_at: e.data.completed_at,
            });
        }
        Event::RecordingFailed(e) => {
            let recording = state.recording(&e.data.recording_id);
            recording.advance(RecordingStatus::Failed);
            recording
                .failure
                .get_or_insert_with(|| RecordingFailure { reason: e.data.reason.clone(), failed_at: e.data.failed_at });
        }
        Event::IvrMenuPresented(e) => state.ivr.push(IvrActivity::MenuPresented {
            menu_id: e.data.menu_id.clone(),
            menu_name: e.data.menu_name.clone(),
            options: e.data.options.clone(),
            at: e.data.presented_at,
        }),
        Event::IvrInputReceived(e) => state.ivr.push(IvrActivity::InputReceived {
            menu_id: e.data.menu_id.clone(),
            input: e.data.input.clone(),
            input_type: e.data.input_type.clone(),
            at: e.data.received_at,
        }),
        Event::IvrTimeout(e) => state.ivr.push(IvrActivity::TimedOut {
            menu_id: e.data.menu_id.clone(),
            waited: e.data.timeout_duration,
            at: e.data.timed_out_at,
        }),
        _ => return false,
    }
    true
}
