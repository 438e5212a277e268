//! Call timelines: events in any order and with retries give one order and one state.

use std::time::Duration;

use audian_events::clock::ManualClock;
use audian_events::examples::{
    CALL_ANSWERED, CALL_CANCELLED, CALL_COMPLETED, CALL_FAILED, CALL_HELD, CALL_INITIATED, CALL_MUTED, CALL_RESUMED,
    CALL_RINGING, CALL_TRANSFERRED, CALL_UNMUTED, IVR_INPUT_RECEIVED, IVR_MENU_PRESENTED, IVR_TIMEOUT,
    RECORDING_COMPLETED, RECORDING_FAILED, RECORDING_STARTED, RECORDING_STOPPED,
};
use audian_events::timeline::{
    CallEnd, CallTimeline, CallTimelines, IvrActivity, Pushed, RecordingStatus, TimelineError, call_id_of,
    timeline_order,
};
use audian_events::{CallStatus, CallType, Event, FailureReason};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A documented example made into another event: its own `id`, the time `at` (in the envelope
/// and in the `*_at` field of `data`), and `changes` merged into `data`.
fn event(example: &str, id: &str, at: &str, changes: Value) -> Event {
    event_written_at(example, id, &format!("2024-01-15T{at}Z"), changes)
}

/// As [`event`], at a timestamp written in full, with its offset.
fn event_written_at(example: &str, id: &str, timestamp: &str, changes: Value) -> Event {
    let mut value: Value = serde_json::from_str(example).unwrap();
    value["id"] = json!(id);
    value["timestamp"] = json!(timestamp);
    let data = value["data"].as_object_mut().unwrap();
    let time_fields: Vec<String> = data.keys().filter(|key| key.ends_with("_at")).cloned().collect();
    assert_eq!(time_fields.len(), 1, "{example}");
    data.insert(time_fields[0].clone(), json!(timestamp));
    for (key, change) in changes.as_object().unwrap() {
        data.insert(key.clone(), change.clone());
    }
    serde_json::from_value(value).unwrap()
}

fn plain(example: &str, id: &str, at: &str) -> Event {
    event(example, id, at, json!({}))
}

fn answered_and_completed() -> Vec<Event> {
    vec![
        plain(CALL_INITIATED, "evt_ac_1", "10:30:00"),
        plain(CALL_RINGING, "evt_ac_2", "10:30:02"),
        plain(CALL_ANSWERED, "evt_ac_3", "10:30:05"),
        plain(CALL_COMPLETED, "evt_ac_4", "10:35:10"),
    ]
}

fn failed() -> Vec<Event> {
    vec![
        plain(CALL_INITIATED, "evt_f_1", "10:30:00"),
        plain(CALL_RINGING, "evt_f_2", "10:30:02"),
        plain(CALL_FAILED, "evt_f_3", "10:30:10"),
    ]
}

fn cancelled() -> Vec<Event> {
    vec![
        plain(CALL_INITIATED, "evt_c_1", "10:30:00"),
        plain(CALL_RINGING, "evt_c_2", "10:30:02"),
        plain(CALL_CANCELLED, "evt_c_3", "10:30:08"),
    ]
}

/// An inbound call with everything: IVR, two recordings (one completed, one failed), a
/// transfer, hold and mute, several events sharing a second, and an event type this version
/// does not know.
fn full_call() -> Vec<Event> {
    let unknown: Event = serde_json::from_value(json!({
        "id": "evt_full_19", "timestamp": "2024-01-15T10:32:00Z", "event": "call.parked",
        "data": {"call_id": "call_xyz789", "parked_at": "2024-01-15T10:32:00Z"}
    }))
    .unwrap();
    vec![
        event(CALL_INITIATED, "evt_full_01", "10:30:00", json!({"call_type": "inbound"})),
        plain(CALL_RINGING, "evt_full_02", "10:30:02"),
        plain(CALL_ANSWERED, "evt_full_03", "10:30:05"),
        plain(RECORDING_STARTED, "evt_full_04", "10:30:05"),
        plain(IVR_MENU_PRESENTED, "evt_full_05", "10:30:30"),
        plain(IVR_INPUT_RECEIVED, "evt_full_06", "10:31:00"),
        event(
            IVR_MENU_PRESENTED,
            "evt_full_07",
            "10:31:00",
            json!({"menu_id": "menu_billing", "menu_name": "Billing", "options": ["1", "2"]}),
        ),
        event(IVR_TIMEOUT, "evt_full_08", "10:31:30", json!({"menu_id": "menu_billing"})),
        unknown,
        plain(CALL_TRANSFERRED, "evt_full_09", "10:33:00"),
        event(RECORDING_STARTED, "evt_full_10", "10:33:00", json!({"recording_id": "rec_def456"})),
        plain(CALL_HELD, "evt_full_11", "10:33:30"),
        plain(CALL_MUTED, "evt_full_12", "10:33:45"),
        plain(CALL_RESUMED, "evt_full_13", "10:34:00"),
        plain(CALL_UNMUTED, "evt_full_14", "10:34:15"),
        plain(RECORDING_STOPPED, "evt_full_15", "10:35:10"),
        plain(CALL_COMPLETED, "evt_full_16", "10:35:10"),
        plain(RECORDING_COMPLETED, "evt_full_17", "10:36:00"),
        event(RECORDING_FAILED, "evt_full_18", "10:36:00", json!({"recording_id": "rec_def456"})),
    ]
}

/// Ties everywhere: the whole set-up in one second, hold and mute toggled within one second,
/// and a `call.ringing` whose clock is late, dated after the call ended.
fn ties_and_skew() -> Vec<Event> {
    vec![
        plain(CALL_INITIATED, "evt_t_5", "10:30:00"),
        plain(CALL_RINGING, "evt_t_4", "10:30:00"),
        plain(CALL_ANSWERED, "evt_t_3", "10:30:00"),
        plain(CALL_HELD, "evt_t_2", "10:31:00"),
        plain(CALL_RESUMED, "evt_t_1", "10:31:00"),
        plain(CALL_MUTED, "evt_t_6", "10:31:00"),
        plain(CALL_UNMUTED, "evt_t_0", "10:31:00"),
        plain(CALL_HELD, "evt_t_7", "10:32:00"),
        plain(CALL_COMPLETED, "evt_t_8", "10:33:00"),
        plain(CALL_RINGING, "evt_t_9", "10:33:30"),
    ]
}

fn scenarios() -> Vec<(&'static str, Vec<Event>)> {
    vec![
        ("answered and completed", answered_and_completed()),
        ("failed", failed()),
        ("cancelled", cancelled()),
        ("full call", full_call()),
        ("ties and skew", ties_and_skew()),
    ]
}

fn timeline_of(events: impl IntoIterator<Item = Event>) -> CallTimeline {
    let mut events = events.into_iter().peekable();
    let call_id = call_id_of(events.peek().unwrap()).unwrap();
    let mut timeline = CallTimeline::new(call_id);
    for event in events {
        timeline.push(event).unwrap();
    }
    timeline
}

fn ids(timeline: &CallTimeline) -> Vec<String> {
    timeline.events().map(|event| event.id().to_string()).collect()
}

fn types(timeline: &CallTimeline) -> Vec<String> {
    timeline.events().map(|event| event.event_type().to_string()).collect()
}

/// Calls `visit` with every permutation of `items` (Heap's algorithm).
fn for_each_permutation<T: Clone>(items: &[T], visit: &mut impl FnMut(&[T])) {
    fn heap<T>(k: usize, items: &mut [T], visit: &mut impl FnMut(&[T])) {
        if k <= 1 {
            visit(items);
            return;
        }
        heap(k - 1, items, visit);
        for i in 0..k - 1 {
            items.swap(if k.is_multiple_of(2) { i } else { 0 }, k - 1);
            heap(k - 1, items, visit);
        }
    }
    let mut items = items.to_vec();
    heap(items.len(), &mut items, visit);
}

#[test]
fn every_permutation_of_the_small_calls_gives_the_same_state_and_order() {
    for (name, events) in
        [("answered and completed", answered_and_completed()), ("failed", failed()), ("cancelled", cancelled())]
    {
        let reference = timeline_of(events.clone());
        let mut count = 0;
        for_each_permutation(&events, &mut |permutation| {
            let timeline = timeline_of(permutation.to_vec());
            assert_eq!(ids(&timeline), ids(&reference), "{name}: {permutation:?}");
            assert_eq!(timeline.state(), reference.state(), "{name}");
            count += 1;
        });
        eprintln!("{name}: {count} permutations");
    }
}

#[test]
fn every_permutation_of_the_first_eight_events_of_the_full_call_gives_the_same_state_and_order() {
    let events: Vec<Event> = full_call().into_iter().take(8).collect();
    let reference = timeline_of(events.clone());
    let mut count = 0;
    for_each_permutation(&events, &mut |permutation| {
        let timeline = timeline_of(permutation.to_vec());
        assert_eq!(ids(&timeline), ids(&reference));
        assert_eq!(timeline.state(), reference.state());
        count += 1;
    });
    assert_eq!(count, 40_320);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any order of arrival, with any retries, gives the order and state of the documented order.
    #[test]
    fn any_order_with_retries_gives_the_same_state_and_order(
        scenario in 0..5usize,
        order in Just((0..19).collect::<Vec<usize>>()).prop_shuffle(),
        retries in proptest::collection::vec((0..19usize, 0..40usize), 0..10),
    ) {
        let (name, events) = &scenarios()[scenario];
        let reference = timeline_of(events.clone());
        let mut arrivals: Vec<Event> = order.iter().filter(|index| **index < events.len()).map(|index| events[*index].clone()).collect();
        for (event, position) in retries {
            let retry = events[event % events.len()].clone();
            arrivals.insert(position.min(arrivals.len()), retry);
        }
        let timeline = timeline_of(arrivals);
        prop_assert_eq!(ids(&timeline), ids(&reference), "{}", name);
        prop_assert_eq!(timeline.state(), reference.state(), "{}", name);
        prop_assert_eq!(timeline.len(), events.len());
    }

    /// Any subset of a call's events, in any order: the state depends only on the set.
    #[test]
    fn any_subset_in_any_order_gives_the_state_of_that_subset_in_timeline_order(
        keep in proptest::collection::vec(any::<bool>(), 19),
        order in Just((0..19).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let events = full_call();
        let subset: Vec<Event> = order.iter().filter(|index| keep[**index]).map(|index| events[*index].clone()).collect();
        prop_assume!(!subset.is_empty());
        let mut sorted = subset.clone();
        sorted.sort_by(timeline_order);
        let timeline = timeline_of(subset);
        let from_sorted = timeline_of(sorted.clone());
        prop_assert_eq!(ids(&timeline), sorted.iter().map(|event| event.id().to_string()).collect::<Vec<_>>());
        prop_assert_eq!(timeline.state(), from_sorted.state());
    }
}

#[test]
fn events_are_ordered_by_timestamp_then_lifecycle_then_id() {
    let timeline = timeline_of(full_call().into_iter().rev());
    assert_eq!(
        types(&timeline),
        [
            "call.initiated",
            "call.ringing",
            "call.answered",
            "recording.started", // same second as call.answered
            "ivr.menu_presented",
            "ivr.menu_presented", // same second as the input: presenting comes first
            "ivr.input_received",
            "ivr.timeout",
            "call.parked",
            "call.transferred",
            "recording.started", // same second as the transfer: by id
            "call.held",
            "call.muted",
            "call.resumed",
            "call.unmuted",
            "recording.stopped", // same second as call.completed
            "call.completed",
            "recording.completed",
            "recording.failed", // same second and step as recording.completed: by id
        ]
    );
    let timeline = timeline_of(ties_and_skew());
    assert_eq!(
        ids(&timeline),
        [
            "evt_t_5", "evt_t_4", "evt_t_3", // initiated, ringing, answered in one second
            "evt_t_0", "evt_t_1", "evt_t_2", "evt_t_6", // in-call events of one second, by id
            "evt_t_7", "evt_t_8", "evt_t_9",
        ]
    );
}

#[test]
fn the_state_of_the_full_call_holds_what_its_events_say() {
    let state = timeline_of(full_call()).state();
    assert_eq!(state.call_id.as_str(), "call_xyz789");
    assert_eq!(state.status, Some(CallStatus::Completed));
    assert_eq!(state.call_type, Some(CallType::Inbound));
    assert_eq!(state.from.as_ref().unwrap().as_str(), "+14155552671");
    assert_eq!(state.to.as_ref().unwrap().as_str(), "+14155552672");
    assert_eq!(state.initiated_at.unwrap().to_rfc3339(), "2024-01-15T10:30:00+00:00");
    assert_eq!(state.ringing_at.unwrap().to_rfc3339(), "2024-01-15T10:30:02+00:00");
    let answered = state.answered.as_ref().unwrap();
    assert_eq!(
        (answered.by.as_str(), answered.at.to_rfc3339().as_str()),
        ("+14155552672", "2024-01-15T10:30:05+00:00")
    );
    assert_eq!(state.duration, Some(305));
    let Some(CallEnd::Completed { at, reason }) = &state.end else { panic!("{:?}", state.end) };
    assert_eq!((at.to_rfc3339().as_str(), reason.as_str()), ("2024-01-15T10:35:10+00:00", "normal"));
    assert!(!state.on_hold && !state.muted);
    assert_eq!(state.transfers.len(), 1);
    assert_eq!(state.transfers[0].to.as_str(), "+14155552673");

    assert_eq!(state.recordings.len(), 2);
    let main = &state.recordings[0];
    assert_eq!(main.recording_id.as_str(), "rec_abc123");
    assert_eq!(main.status, RecordingStatus::Completed);
    assert_eq!(main.duration, Some(305));
    assert!(main.started_at.is_some() && main.stopped_at.is_some() && main.failure.is_none());
    let file = main.file.as_ref().unwrap();
    assert_eq!((file.size, file.format.as_str()), (1_024_000, "mp3"));
    assert_eq!(file.download_url, "https://api.audian.com:8443/v2/recordings/rec_abc123/download");
    let second = &state.recordings[1];
    assert_eq!(second.recording_id.as_str(), "rec_def456");
    assert_eq!(second.status, RecordingStatus::Failed);
    assert_eq!(second.failure.as_ref().unwrap().reason, "storage_error");
    assert!(second.file.is_none() && second.stopped_at.is_none());

    let ivr: Vec<String> = state
        .ivr
        .iter()
        .map(|activity| match activity {
            IvrActivity::MenuPresented { menu_id, options, .. } => format!("menu {menu_id} {}", options.join("/")),
            IvrActivity::InputReceived { menu_id, input, input_type, .. } => {
                format!("input {menu_id} {input} {input_type}")
            }
            IvrActivity::TimedOut { menu_id, waited, .. } => format!("timeout {menu_id} {waited}"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ivr,
        ["menu menu_main 1/2/3", "menu menu_billing 1/2", "input menu_main 2 dtmf", "timeout menu_billing 30"]
    );
    assert_eq!(state.event_count, 19);
    assert_eq!(state.last_event_at.unwrap().to_rfc3339(), "2024-01-15T10:36:00+00:00");
    assert!(state.is_finished());
}

#[test]
fn hold_and_mute_follow_the_last_event_in_timeline_order() {
    let state = timeline_of(ties_and_skew()).state();
    // evt_t_0 unmuted, evt_t_1 resumed, evt_t_2 held, evt_t_6 muted (one second), then held.
    assert!(state.on_hold);
    assert!(state.muted);
    let mut events = full_call();
    events.retain(|event| !matches!(event, Event::CallResumed(_) | Event::CallUnmuted(_)));
    let state = timeline_of(events).state();
    assert!(state.on_hold && state.muted);
}

#[test]
fn a_terminal_status_is_not_undone_by_an_earlier_event_arriving_late() {
    let mut timeline = timeline_of([plain(CALL_COMPLETED, "evt_1", "10:35:10")]);
    assert_eq!(timeline.state().status, Some(CallStatus::Completed));
    for late in [
        plain(CALL_ANSWERED, "evt_2", "10:30:05"),
        plain(CALL_RINGING, "evt_3", "10:30:02"),
        plain(CALL_INITIATED, "evt_4", "10:30:00"),
    ] {
        timeline.push(late).unwrap();
        assert_eq!(timeline.state().status, Some(CallStatus::Completed));
    }
    // Nor by a skewed event dated after the end.
    timeline.push(plain(CALL_RINGING, "evt_5", "10:40:00")).unwrap();
    assert_eq!(timeline.state().status, Some(CallStatus::Completed));
    assert_eq!(timeline.state().ringing_at.unwrap().to_rfc3339(), "2024-01-15T10:30:02+00:00");
}

#[test]
fn of_two_ending_events_the_first_in_timeline_order_stays() {
    let events = [
        plain(CALL_INITIATED, "evt_1", "10:30:00"),
        plain(CALL_FAILED, "evt_2", "10:30:10"),
        plain(CALL_COMPLETED, "evt_3", "10:35:10"),
    ];
    for order in [[0, 1, 2], [2, 1, 0], [0, 2, 1]] {
        let state = timeline_of(order.map(|index| events[index].clone())).state();
        assert_eq!(state.status, Some(CallStatus::Failed));
        let Some(CallEnd::Failed { reason, reason_code, .. }) = state.end else { panic!() };
        assert_eq!((reason, reason_code), (FailureReason::NoAnswer, 408));
        assert_eq!(state.duration, None, "the duration belongs to the call.completed that did not end the call");
    }
}

#[test]
fn the_status_only_moves_forward_and_steps_may_be_missing() {
    let mut timeline = timeline_of([plain(CALL_RINGING, "evt_1", "10:30:02")]);
    assert_eq!(timeline.state().status, Some(CallStatus::Ringing));
    timeline.push(plain(CALL_ANSWERED, "evt_2", "10:30:01")).unwrap(); // skewed: dated before ringing
    assert_eq!(timeline.state().status, Some(CallStatus::Answered));
    let only_in_call = timeline_of([plain(CALL_HELD, "evt_3", "10:33:30")]).state();
    assert_eq!(only_in_call.status, None);
    assert!(only_in_call.on_hold);
}

#[test]
fn failed_and_cancelled_calls_say_why() {
    let state = timeline_of(failed()).state();
    assert_eq!(state.status, Some(CallStatus::Failed));
    assert!(matches!(state.end, Some(CallEnd::Failed { reason: FailureReason::NoAnswer, reason_code: 408, .. })));
    assert!(state.answered.is_none());
    let state = timeline_of(cancelled()).state();
    assert_eq!(state.status, Some(CallStatus::Cancelled));
    let Some(CallEnd::Cancelled { by, at }) = &state.end else { panic!() };
    assert_eq!((by.as_str(), at.to_rfc3339().as_str()), ("caller", "2024-01-15T10:30:08+00:00"));
    assert_eq!(state.end.as_ref().unwrap().status(), CallStatus::Cancelled);
}

#[test]
fn retries_are_ignored_and_conflicting_ids_resolve_the_same_in_any_order() {
    let mut timeline = timeline_of(answered_and_completed());
    assert_eq!(timeline.push(plain(CALL_ANSWERED, "evt_ac_3", "10:30:05")).unwrap(), Pushed::Duplicate);
    assert_eq!(timeline.len(), 4);

    // The documented examples about a call, unchanged, all share one id.
    let documented: Vec<Event> = audian_events::examples::ALL
        .iter()
        .map(|(_, text)| text.parse::<Event>().unwrap())
        .filter(|event| call_id_of(event).is_some())
        .collect();
    let forward = timeline_of(documented.clone());
    let backward = timeline_of(documented.iter().rev().cloned());
    assert_eq!(forward.len(), 1);
    assert_eq!(forward.events().collect::<Vec<_>>(), backward.events().collect::<Vec<_>>());
    assert_eq!(forward.state(), backward.state());
    assert_eq!(types(&forward), ["call.initiated"], "the earliest of them stays");
    let mut timeline = CallTimeline::new(documented[0].call_id().unwrap().clone());
    assert_eq!(timeline.push(documented[3].clone()).unwrap(), Pushed::Added);
    assert_eq!(timeline.push(documented[0].clone()).unwrap(), Pushed::Conflict);
    assert_eq!(timeline.get("evt_1234567890abcdef").unwrap().event_type().as_str(), "call.initiated");
}

#[test]
fn times_in_other_offsets_order_by_instant_and_are_kept_as_written() {
    // The events of answered_and_completed at the same instants, written in four offsets, which
    // put them out of order by their local clocks.
    let written =
        ["2024-01-15T19:30:00+09:00", "2024-01-15T02:30:02-08:00", "2024-01-15T10:30:05Z", "2024-01-15T12:35:10+02:00"];
    let events: Vec<Event> = [CALL_INITIATED, CALL_RINGING, CALL_ANSWERED, CALL_COMPLETED]
        .into_iter()
        .zip(written)
        .enumerate()
        .map(|(index, (example, timestamp))| {
            event_written_at(example, &format!("evt_ac_{}", index + 1), timestamp, json!({}))
        })
        .collect();
    let in_utc = timeline_of(answered_and_completed());
    for arrival in [events.clone(), events.iter().rev().cloned().collect()] {
        let timeline = timeline_of(arrival);
        assert_eq!(ids(&timeline), ids(&in_utc));
        assert_eq!(timeline.state(), in_utc.state(), "the same instants");
        let timestamps: Vec<Value> = timeline.events().map(|event| event.to_json()["timestamp"].clone()).collect();
        assert_eq!(timestamps, written);
    }

    // A retry with its times in another offset is a duplicate, and the timeline holds the same
    // text whichever arrived first.
    let retry = event_written_at(CALL_ANSWERED, "evt_ac_3", "2024-01-15T11:30:05+01:00", json!({}));
    let mut first = timeline_of(events.clone());
    let mut second = timeline_of(
        events.iter().map(|event| if event.id().as_str() == "evt_ac_3" { retry.clone() } else { event.clone() }),
    );
    assert_eq!(first.push(retry.clone()).unwrap(), Pushed::Duplicate);
    assert_eq!(second.push(events[2].clone()).unwrap(), Pushed::Duplicate);
    let texts =
        |timeline: &CallTimeline| timeline.events().map(|event| event.to_json().to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&first), texts(&second));
    assert_eq!(first.get("evt_ac_3").unwrap().to_json()["timestamp"], "2024-01-15T10:30:05Z", "the first by JSON text");
}

#[test]
fn events_of_another_call_or_of_no_call_are_refused_with_a_reason() {
    let mut timeline = timeline_of(answered_and_completed());
    let other = event(CALL_HELD, "evt_x", "10:33:30", json!({"call_id": "call_other"}));
    let error = timeline.push(other).unwrap_err();
    assert!(matches!(error, TimelineError::OtherCall { .. }));
    assert_eq!(
        error.to_string(),
        "event evt_x is about call call_other, not call_xyz789: push it to the timeline of call_other \
         (CallTimelines picks the timeline by call id)"
    );
    let no_call: Event = serde_json::from_value(json!({
        "id": "evt_y", "timestamp": "2024-01-15T10:32:00Z", "event": "account.updated", "data": {}
    }))
    .unwrap();
    let error = timeline.push(no_call).unwrap_err();
    assert!(error.to_string().contains("`account.updated` names no call"), "{error}");
    assert_eq!(timeline.len(), 4, "refused events change nothing");
}

fn call(n: usize, ended: bool) -> Vec<Event> {
    let call_id = json!(format!("call_{n}"));
    let mut events = vec![event(CALL_INITIATED, &format!("evt_{n}_1"), "10:30:00", json!({"call_id": call_id}))];
    if ended {
        events.push(event(CALL_COMPLETED, &format!("evt_{n}_2"), "10:35:10", json!({"call_id": call_id})));
    }
    events
}

#[test]
fn the_store_keys_calls_by_id_and_holds_at_most_its_capacity() {
    let mut calls = CallTimelines::new(100, Duration::from_secs(600));
    for n in 0..1_000 {
        for event in call(n, n % 2 == 0) {
            calls.push(event).unwrap();
        }
        assert!(calls.len() <= 100);
    }
    assert_eq!(calls.len(), 100);
    // A new call drops a finished call first, so the calls held are the newest unfinished ones.
    let held: Vec<usize> = (0..1_000).filter(|n| calls.contains(&format!("call_{n}"))).collect();
    assert_eq!(held, (801..1_000).step_by(2).collect::<Vec<_>>());
    assert_eq!(calls.state("call_999").unwrap().status, Some(CallStatus::Initiated));
    assert_eq!(calls.iter().count(), 100);
}

#[test]
fn finished_calls_are_dropped_after_their_time_and_late_events_join_them_before() {
    let clock = ManualClock::new();
    let mut calls = CallTimelines::with_clock(10, Duration::from_secs(600), clock.clone());
    for event in call(1, true).into_iter().chain(call(2, false)) {
        calls.push(event).unwrap();
    }
    clock.advance(Duration::from_secs(50));
    let late = event(RECORDING_COMPLETED, "evt_1_3", "10:36:00", json!({"call_id": "call_1"}));
    assert_eq!(calls.push(late).unwrap(), Pushed::Added);
    assert_eq!(calls.get("call_1").unwrap().len(), 3, "the late event joined the finished call");
    clock.advance(Duration::from_secs(549));
    assert_eq!(calls.evict_expired(), 0);
    clock.advance(Duration::from_secs(1)); // 600 s after call.completed arrived
    assert_eq!(calls.evict_expired(), 1);
    assert!(!calls.contains("call_1"));
    assert!(calls.contains("call_2"), "an unfinished call is not dropped by time");
    clock.advance(Duration::from_secs(86_400));
    assert_eq!(calls.evict_expired(), 0);
    assert_eq!(calls.remove("call_2").unwrap().len(), 1);
    assert!(calls.is_empty());
}

#[test]
fn a_full_store_drops_the_first_finished_call_before_any_unfinished_one() {
    let mut calls = CallTimelines::new(3, Duration::from_secs(600));
    for event in call(1, false).into_iter().chain(call(2, true)).chain(call(3, true)) {
        calls.push(event).unwrap();
    }
    calls.push(call(4, false).remove(0)).unwrap();
    assert!(calls.contains("call_1") && !calls.contains("call_2") && calls.contains("call_3"));
    calls.push(call(5, false).remove(0)).unwrap();
    assert!(calls.contains("call_1") && !calls.contains("call_3"));
    calls.push(call(6, false).remove(0)).unwrap();
    assert!(!calls.contains("call_1"), "with no finished call left, the oldest goes");
    assert!(calls.contains("call_4") && calls.contains("call_5") && calls.contains("call_6"));
}

#[test]
fn the_store_refuses_events_of_no_call() {
    let mut calls = CallTimelines::default();
    let no_call: Event = serde_json::from_value(json!({
        "id": "evt_y", "timestamp": "2024-01-15T10:32:00Z", "event": "account.updated", "data": {"call_id": 7}
    }))
    .unwrap();
    assert!(matches!(calls.push(no_call), Err(TimelineError::NoCall { .. })));
    assert!(calls.is_empty());
}

#[test]
fn timelines_and_their_store_can_move_between_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<CallTimeline>();
    shareable::<CallTimelines>();
    shareable::<CallTimelines<ManualClock>>();
    shareable::<audian_events::CallState>();
}
