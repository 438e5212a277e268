//! Event filters from subscription lists: the reference's examples, typos, and `*`.

use audian_events::subscription::{ALL_EVENTS, EventFilter, FilterError};
use audian_events::{Event, EventType};
use serde_json::json;

fn documented_events() -> Vec<Event> {
    audian_events::examples::ALL.iter().map(|(_, text)| text.parse().unwrap()).collect()
}

fn unknown_event() -> Event {
    serde_json::from_value(json!({
        "id": "evt_new", "timestamp": "2024-01-15T10:32:00Z", "event": "call.parked", "data": {"call_id": "call_1"}
    }))
    .unwrap()
}

#[test]
fn the_references_subscription_matches_its_three_events_and_no_other() {
    // "Subscribe to specific events" in the reference.
    let filter = EventFilter::new(["call.initiated", "call.completed", "recording.completed"]).unwrap();
    let matched: Vec<String> = documented_events()
        .iter()
        .filter(|event| filter.matches(event))
        .map(|event| event.event_type().to_string())
        .collect();
    assert_eq!(matched, ["call.initiated", "call.completed", "recording.completed"]);
    assert!(!filter.matches(&unknown_event()));
    assert!(!filter.is_all());
    assert_eq!(filter.names(), ["call.initiated", "call.completed", "recording.completed"]);
}

#[test]
fn the_wildcard_matches_every_event_including_types_not_known_yet() {
    let filter = EventFilter::new([ALL_EVENTS]).unwrap();
    assert!(filter.is_all());
    assert!(documented_events().iter().all(|event| filter.matches(event)));
    assert!(filter.matches(&unknown_event()));
    assert!(filter.matches_type(&EventType::from("call.parked")));
    assert_eq!(filter.names(), ["*"]);
    assert!(filter.event_types().is_none());
    assert_eq!(EventFilter::new(["call.held", "*"]).unwrap(), EventFilter::all(), "`*` wins over names beside it");
}

#[test]
fn each_event_name_selects_exactly_its_type() {
    for selected in EventType::ALL {
        let filter = EventFilter::new([selected.as_str()]).unwrap();
        for other in EventType::ALL {
            assert_eq!(filter.matches_type(&other), other == selected, "{selected} vs {other}");
        }
        assert_eq!(filter.event_types().unwrap().collect::<Vec<_>>(), [&selected]);
    }
}

#[test]
fn a_misspelt_name_suggests_the_closest_known_one() {
    let cases = [
        ("call.complete", "call.completed"),
        ("call.completd", "call.completed"),
        ("call_completed", "call.completed"),
        ("Call.Completed", "call.completed"),
        ("call.compelted", "call.completed"),
        ("recording.complete", "recording.completed"),
        ("call.canceled", "call.cancelled"),
        ("ivr.timout", "ivr.timeout"),
        ("ivr.menu_presnted", "ivr.menu_presented"),
        ("call.ring", "call.ringing"),
        ("call.holded", "call.held"),
    ];
    for (typo, known) in cases {
        let error = EventFilter::new(["call.initiated", typo]).unwrap_err();
        assert_eq!(
            error,
            FilterError::UnknownEvent { name: typo.to_owned(), suggestion: Some(EventType::from(known)) }
        );
        assert_eq!(error.to_string(), format!("unknown event name `{typo}`: did you mean `{known}`?"));
    }
    assert_eq!(
        EventFilter::new(["call.complete"]).unwrap_err().to_string(),
        "unknown event name `call.complete`: did you mean `call.completed`?"
    );
}

#[test]
fn a_name_like_no_known_one_lists_the_known_names() {
    let error = EventFilter::new(["invoice.paid"]).unwrap_err();
    assert_eq!(error, FilterError::UnknownEvent { name: "invoice.paid".to_owned(), suggestion: None });
    let message = error.to_string();
    let known = EventType::ALL;
    let (first, last) = (&known[0], &known[known.len() - 1]);
    assert!(
        message.starts_with(&format!("unknown event name `invoice.paid`: the events are `{first}`, ")),
        "{message}"
    );
    assert!(message.ends_with(&format!("`{last}`, or `*` for every event")), "{message}");
    assert!(EventType::ALL.iter().all(|known| message.contains(&format!("`{known}`"))));
}

#[test]
fn an_empty_list_and_partial_wildcards_are_refused_with_what_to_write() {
    let empty: [&str; 0] = [];
    let error = EventFilter::new(empty).unwrap_err();
    assert_eq!(error, FilterError::Empty);
    assert!(error.to_string().contains("name at least one event, such as `call.completed`, or `*`"));
    let error = EventFilter::new(["call.*"]).unwrap_err();
    assert!(matches!(error, FilterError::PartialWildcard { .. }));
    assert!(error.to_string().contains("Audian accepts the wildcard only on its own"), "{error}");
}

#[test]
fn a_filter_reads_from_a_comma_separated_list_and_writes_back() {
    let filter: EventFilter = " call.completed, call.failed ,recording.completed".parse().unwrap();
    assert_eq!(filter.to_string(), "call.completed, call.failed, recording.completed");
    assert_eq!(filter.to_string().parse::<EventFilter>().unwrap(), filter);
    assert_eq!("*".parse::<EventFilter>().unwrap(), EventFilter::all());
    assert_eq!("".parse::<EventFilter>().unwrap_err(), FilterError::Empty);
    assert!("call.complete".parse::<EventFilter>().unwrap_err().to_string().contains("did you mean `call.completed`"));
}

#[test]
fn a_filter_is_the_events_array_of_a_subscription_request() {
    // "Event Filtering" in the reference.
    let body = json!({"events": ["call.completed", "call.failed", "recording.completed"]});
    let filter: EventFilter = serde_json::from_value(body["events"].clone()).unwrap();
    assert!(filter.matches_type(&EventType::CallFailed) && !filter.matches_type(&EventType::CallHeld));
    assert_eq!(serde_json::to_value(&filter).unwrap(), body["events"]);
    assert_eq!(serde_json::to_value(EventFilter::all()).unwrap(), json!(["*"]));
    let error = serde_json::from_value::<EventFilter>(json!(["call.complete"])).unwrap_err();
    assert!(error.to_string().contains("did you mean `call.completed`?"), "{error}");
    assert!(serde_json::from_value::<EventFilter>(json!([])).is_err());
}

#[test]
fn only_selects_given_types_including_ones_newer_than_this_version() {
    let filter = EventFilter::only([EventType::CallHeld, EventType::from("call.parked")]);
    assert!(filter.matches(&unknown_event()));
    assert!(filter.matches_type(&EventType::CallHeld));
    assert!(!filter.matches_type(&EventType::CallResumed));
    assert!(!EventFilter::only([]).matches_type(&EventType::CallHeld), "an empty selection selects nothing");
}

#[test]
fn a_filter_reads_and_writes_the_events_of_typed_request_bodies() {
    use audian_events::EventSelector;
    use audian_events::webhooks::UpdateWebhookRequest;
    let body: UpdateWebhookRequest =
        serde_json::from_value(json!({"events": ["call.completed", "call.failed", "recording.completed"]})).unwrap();
    let filter = EventFilter::from_selectors(&body.events).unwrap();
    assert!(filter.matches_type(&EventType::RecordingCompleted) && !filter.matches_type(&EventType::CallHeld));
    assert_eq!(filter.selectors(), body.events);
    assert_eq!(EventFilter::all().selectors(), [EventSelector::AllEvents]);
    let typo = [EventSelector::from("call.complete")];
    assert!(EventFilter::from_selectors(&typo).unwrap_err().to_string().contains("did you mean `call.completed`"));
}
