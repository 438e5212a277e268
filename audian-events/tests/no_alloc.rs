//! `is_valid` performs no heap allocation on a valid payload: a counting global allocator counts
//! the allocations the calling thread makes while a window is open around the calls. Controls in
//! the same window prove the counter is not blind: a `Vec` allocated there, and `validate` on an
//! invalid payload (which builds its error list), are both counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use serde_json::Value;

/// The system allocator, counting the allocations (and reallocations) of a thread whose window
/// is open. Counting per thread keeps the test harness's other threads out of the count.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn record() {
    // `try_with`: a thread being torn down has no thread-locals left, and allocates nothing of ours.
    let counting = COUNTING.try_with(Cell::get).unwrap_or(false);
    if counting {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations this thread makes while running `f`.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (usize, T) {
    ALLOCATIONS.with(|count| count.set(0));
    COUNTING.with(|counting| counting.set(true));
    let result = black_box(f());
    COUNTING.with(|counting| counting.set(false));
    (ALLOCATIONS.with(Cell::get), result)
}

fn examples() -> Vec<(String, Value)> {
    audian_events::examples::ALL
        .iter()
        .map(|(event_type, text)| {
            (format!("{event_type:?}"), serde_json::from_str(text).expect("a documented example is JSON"))
        })
        .collect()
}

#[test]
fn is_valid_allocates_nothing_on_each_valid_documented_example() {
    let examples = examples();
    assert_eq!(examples.len(), audian_events::EventType::ALL.len(), "one documented example per event type");
    for (name, value) in &examples {
        // Warm up once outside the window: lazily initialized statics (if any) are not per call.
        assert!(audian_events::is_valid(value), "{name}: the documented example is valid");
        let (allocations, valid) = allocations_in(|| audian_events::is_valid(black_box(value)));
        assert!(valid, "{name}: valid inside the window too");
        assert_eq!(allocations, 0, "{name}: is_valid allocated {allocations} times on a valid payload");

        // The same window sees an allocation when there is one.
        let (allocations, valid) = allocations_in(|| {
            let valid = audian_events::is_valid(black_box(value));
            black_box(Vec::<u64>::with_capacity(black_box(4)));
            valid
        });
        assert!(valid);
        assert_eq!(allocations, 1, "{name}: the control Vec was not counted exactly once");
    }
}

#[test]
fn is_valid_allocates_nothing_when_called_many_times_in_one_window() {
    let examples = examples();
    let (allocations, valid) = allocations_in(|| {
        let mut valid = 0;
        for _ in 0..100 {
            for (_, value) in &examples {
                valid += usize::from(audian_events::is_valid(black_box(value)));
            }
        }
        valid
    });
    assert_eq!(valid, 100 * examples.len());
    assert_eq!(allocations, 0, "is_valid allocated {allocations} times over {valid} calls on valid payloads");
}

#[test]
fn the_counter_sees_allocations_made_inside_the_library() {
    // An invalid payload: `validate` collects its errors in a Vec of owned messages.
    let (_, example) = &examples()[0];
    let mut invalid = example.clone();
    invalid["id"] = Value::from("not an event id");
    let (allocations, errors) = allocations_in(|| audian_events::validate(black_box(&invalid)).map_err(|e| e.len()));
    assert_eq!(errors, Err(1));
    assert!(allocations > 0, "validate on an invalid payload must allocate, and the counter must see it");
}

#[test]
fn the_tolerant_is_valid_allocates_nothing_on_valid_payloads_with_or_without_drift() {
    use audian_events::Reading;
    let mut payloads: Vec<(String, Value)> = Vec::new();
    for (name, example) in examples() {
        let mut added = example.clone();
        added["api_version"] = Value::from("2025-01");
        added["data"]["carrier"] = Value::from("att");
        let mut unknown = example.clone();
        unknown["event"] = Value::from("call.parked");
        payloads.push((format!("{name}, new fields"), added));
        payloads.push((format!("{name}, new event type"), unknown));
        payloads.push((name, example));
    }
    for (name, value) in &payloads {
        assert!(Reading::Tolerant.is_valid(value), "{name}: valid in the tolerant reading");
        let (allocations, valid) = allocations_in(|| Reading::Tolerant.is_valid(black_box(value)));
        assert!(valid, "{name}: valid inside the window too");
        assert_eq!(allocations, 0, "{name}: the tolerant is_valid allocated {allocations} times");
    }
    // Not blind: the drift of a payload with new fields is a list, and is counted.
    let (allocations, drift) = allocations_in(|| Reading::Tolerant.validate_value(black_box(&payloads[0].1)));
    assert_eq!(drift.expect("accepted").len(), 2);
    assert!(allocations > 0);
}

#[test]
fn is_valid_slice_allocates_nothing_on_each_valid_documented_example_in_either_reading() {
    use audian_events::Reading;
    let examples = audian_events::examples::ALL;
    assert_eq!(examples.len(), audian_events::EventType::ALL.len(), "one documented example per event type");
    for (event_type, text) in examples {
        // As sent (pretty, `event` before `data`) and compact. With `data` before `event` (which
        // Audian does not send), `data` is found by serde_json's skipping, whose stack of nested
        // arrays and objects is a `Vec`: valid, but not free of allocations.
        let value: Value = serde_json::from_str(text).expect("a documented example is JSON");
        // The documented text without its layout; the keys keep their order (a `Value` would
        // sort them, putting `data` first).
        let compact: Vec<u8> = serde_json::from_str::<Box<serde_json::value::RawValue>>(text)
            .map(|raw| strip_layout(raw.get()))
            .expect("a documented example is JSON");
        let data_first = format!(
            r#"{{"data":{},"id":{},"timestamp":{},"event":{}}}"#,
            value["data"], value["id"], value["timestamp"], value["event"]
        );
        for reading in [Reading::Strict, Reading::Tolerant] {
            assert!(reading.is_valid_slice(data_first.as_bytes()), "{event_type:?} ({reading:?}), data first");
            for bytes in [text.as_bytes(), &compact] {
                assert!(reading.is_valid_slice(bytes), "{event_type:?} ({reading:?}): the documented example is valid");
                let (allocations, valid) = allocations_in(|| reading.is_valid_slice(black_box(bytes)));
                assert!(valid, "{event_type:?}: valid inside the window too");
                assert_eq!(
                    allocations, 0,
                    "{event_type:?} ({reading:?}): is_valid_slice allocated {allocations} times"
                );
            }
        }
    }
    // Not blind: parsing the same bytes builds the event, whose long strings (the recording's
    // download URL) are on the heap.
    let recording = audian_events::examples::ALL
        .iter()
        .find(|(_, text)| text.contains("https://"))
        .expect("an example with a URL")
        .1;
    let (allocations, parsed) = allocations_in(|| audian_events::parse_validated(black_box(recording.as_bytes())));
    assert!(parsed.is_ok());
    assert!(allocations > 0, "parsing an event with a long string allocates, and the counter must see it");
}

/// `text` without the whitespace between tokens.
fn strip_layout(text: &str) -> Vec<u8> {
    let (mut in_string, mut escaped) = (false, false);
    let mut out = Vec::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if byte.is_ascii_whitespace() {
            continue;
        } else {
            in_string = byte == b'"';
        }
        out.push(byte);
    }
    out
}
