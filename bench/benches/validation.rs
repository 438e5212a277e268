//! `cargo bench -p audian-events-bench`: audian-events against the `jsonschema` crate, on the
//! same inputs in one run. `cargo xtask bench` runs this and prints the table of medians.
//!
//! Each timed iteration goes over a whole corpus (the documented examples, or their invalid
//! variants, or the NDJSON batch), so a median is the time of one pass over that corpus, except
//! in the `_each` groups, which time one example at a time. Group
//! and function names are read by `xtask/src/bench/`: change both together.

use std::hint::black_box;
use std::time::Duration;

use audian_events_bench::{Corpus, MacroValidator, assert_same_verdicts, runtime_validator};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use serde_json::Value;

fn benches(c: &mut Criterion) {
    let corpus = Corpus::build();
    // Built once, outside every timed loop.
    let runtime = runtime_validator();
    assert_same_verdicts(&corpus, &runtime);

    let valid: Vec<&Value> = corpus.valid.iter().map(|input| &input.value).collect();
    let invalid: Vec<&Value> = corpus.invalid.iter().map(|input| &input.value).collect();
    let valid_bytes: Vec<&[u8]> = corpus.valid.iter().map(|input| input.bytes.as_slice()).collect();

    // (a) Validate a parsed `Value`, boolean, on the documented examples.
    {
        let mut group = c.benchmark_group("is_valid");
        group.throughput(Throughput::Elements(valid.len() as u64));
        group.bench_function("ours", |b| {
            b.iter(|| {
                for value in &valid {
                    black_box(audian_events::is_valid(black_box(value)));
                }
            })
        });
        group.bench_function("jsonschema_runtime", |b| {
            b.iter(|| {
                for value in &valid {
                    black_box(runtime.is_valid(black_box(value)));
                }
            })
        });
        group.bench_function("jsonschema_macro", |b| {
            b.iter(|| {
                for value in &valid {
                    black_box(MacroValidator::is_valid(black_box(value)));
                }
            })
        });
        group.finish();
    }

    // (a) again, one example at a time: a harness that times each example alone sees this, and
    // the median over the examples of each one's ratio is read from it. Over a whole pass,
    // the branch predictor and instruction cache also meet every event in turn.
    {
        let mut group = c.benchmark_group("is_valid_each");
        group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_millis(1500));
        for input in &corpus.valid {
            let value = &input.value;
            group.bench_function(BenchmarkId::new("ours", &input.name), |b| {
                b.iter(|| audian_events::is_valid(black_box(value)))
            });
            group.bench_function(BenchmarkId::new("jsonschema_runtime", &input.name), |b| {
                b.iter(|| runtime.is_valid(black_box(value)))
            });
            group.bench_function(BenchmarkId::new("jsonschema_macro", &input.name), |b| {
                b.iter(|| MacroValidator::is_valid(black_box(value)))
            });
        }
        group.finish();
    }

    // The same, on the invalid variants: how fast each says no.
    {
        let mut group = c.benchmark_group("is_valid_invalid");
        group.throughput(Throughput::Elements(invalid.len() as u64));
        group.bench_function("ours", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(audian_events::is_valid(black_box(value)));
                }
            })
        });
        group.bench_function("jsonschema_runtime", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(runtime.is_valid(black_box(value)));
                }
            })
        });
        group.bench_function("jsonschema_macro", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(MacroValidator::is_valid(black_box(value)));
                }
            })
        });
        group.finish();
    }

    // (b) Collect every error of the invalid variants.
    {
        let mut group = c.benchmark_group("all_errors");
        group.throughput(Throughput::Elements(invalid.len() as u64));
        group.bench_function("ours", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(audian_events::validate(black_box(value)).unwrap_err().len());
                }
            })
        });
        group.bench_function("jsonschema_runtime", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(runtime.iter_errors(black_box(value)).count());
                }
            })
        });
        group.bench_function("jsonschema_macro", |b| {
            b.iter(|| {
                for value in &invalid {
                    black_box(MacroValidator::iter_errors(black_box(value)).count());
                }
            })
        });
        group.finish();
    }

    // (c) Bytes to a validated typed event, and (d) the floors, on the examples' compact bytes.
    {
        let mut group = c.benchmark_group("bytes_to_event");
        group.throughput(Throughput::Bytes(corpus.valid_bytes() as u64));
        group.bench_function("ours_parse_validated", |b| {
            b.iter(|| {
                for bytes in &valid_bytes {
                    black_box(audian_events::parse_validated(black_box(bytes)).is_ok());
                }
            })
        });
        // What a user writes without us: parse a `Value`, then validate it.
        group.bench_function("value_plus_jsonschema_runtime", |b| {
            b.iter(|| {
                for bytes in &valid_bytes {
                    let value: Value = serde_json::from_slice(black_box(bytes)).unwrap();
                    black_box(runtime.is_valid(&value));
                }
            })
        });
        group.bench_function("ours_is_valid_slice", |b| {
            b.iter(|| {
                for bytes in &valid_bytes {
                    black_box(audian_events::is_valid_slice(black_box(bytes)));
                }
            })
        });
        group.bench_function("floor_ignored_any", |b| {
            b.iter(|| {
                for bytes in &valid_bytes {
                    black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(bytes)).is_ok());
                }
            })
        });
        group.bench_function("floor_typed_unvalidated", |b| {
            b.iter(|| {
                for bytes in &valid_bytes {
                    black_box(audian_events::Event::from_slice(black_box(bytes)).is_ok());
                }
            })
        });
        group.finish();
    }

    // (c) and (d) again, one example at a time: the targets of the bytes paths are medians over
    // the examples of each one's ratio to the floor, `from_slice::<IgnoredAny>`. The functions of
    // one example run one after the other, so that each ratio compares times taken moments apart.
    {
        use audian_events::Reading;
        let mut group = c.benchmark_group("bytes_each");
        group.sample_size(30).warm_up_time(Duration::from_millis(400)).measurement_time(Duration::from_millis(1000));
        for input in &corpus.valid {
            let bytes = input.bytes.as_slice();
            assert!(audian_events::is_valid_slice(bytes) && Reading::Tolerant.is_valid_slice(bytes), "{}", input.name);
            assert!(Reading::Tolerant.parse(bytes).is_ok(), "{}", input.name);
            group.bench_function(BenchmarkId::new("floor_ignored_any", &input.name), |b| {
                b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(bytes)).is_ok())
            });
            group.bench_function(BenchmarkId::new("ours_parse_validated", &input.name), |b| {
                b.iter(|| audian_events::parse_validated(black_box(bytes)).is_ok())
            });
            group.bench_function(BenchmarkId::new("ours_is_valid_slice", &input.name), |b| {
                b.iter(|| audian_events::is_valid_slice(black_box(bytes)))
            });
            group.bench_function(BenchmarkId::new("ours_parse_tolerant", &input.name), |b| {
                b.iter(|| Reading::Tolerant.parse(black_box(bytes)).is_ok())
            });
            group.bench_function(BenchmarkId::new("ours_is_valid_slice_tolerant", &input.name), |b| {
                b.iter(|| Reading::Tolerant.is_valid_slice(black_box(bytes)))
            });
            group.bench_function(BenchmarkId::new("value_plus_jsonschema_runtime", &input.name), |b| {
                b.iter(|| {
                    let value: Value = serde_json::from_slice(black_box(bytes)).unwrap();
                    runtime.is_valid(&value)
                })
            });
        }
        group.finish();
    }

    // Throughput on about 1 MB of NDJSON, line by line.
    {
        let lines = corpus.ndjson_lines();
        let mut group = c.benchmark_group("ndjson");
        group.throughput(Throughput::Bytes(corpus.ndjson.len() as u64));
        group.sampling_mode(SamplingMode::Flat).sample_size(20).measurement_time(Duration::from_secs(8));
        group.bench_function("ours_parse_validated", |b| {
            b.iter(|| {
                for line in &lines {
                    black_box(audian_events::parse_validated(black_box(line)).is_ok());
                }
            })
        });
        group.bench_function("value_plus_jsonschema_runtime", |b| {
            b.iter(|| {
                for line in &lines {
                    let value: Value = serde_json::from_slice(black_box(line)).unwrap();
                    black_box(runtime.is_valid(&value));
                }
            })
        });
        group.bench_function("floor_typed_unvalidated", |b| {
            b.iter(|| {
                for line in &lines {
                    black_box(audian_events::Event::from_slice(black_box(line)).is_ok());
                }
            })
        });
        group.finish();
    }

    // The two readings side by side: the tolerant reading must be in the strict one's speed
    // class. `drifting` is each example with one field Audian might add (`data.carrier`), which
    // the strict reading refuses and the tolerant one accepts, with its drift.
    {
        use audian_events::Reading;
        let drifting: Vec<Value> = valid
            .iter()
            .map(|value| {
                let mut value = (*value).clone();
                value["data"]["carrier"] = Value::from("att");
                value
            })
            .collect();
        let drifting_bytes: Vec<Vec<u8>> =
            drifting.iter().map(|value| serde_json::to_vec(value).expect("JSON")).collect();
        for value in &drifting {
            assert!(Reading::Tolerant.is_valid(value) && !Reading::Strict.is_valid(value));
        }
        let mut group = c.benchmark_group("readings");
        group.throughput(Throughput::Elements(valid.len() as u64));
        for (name, reading) in [("strict", Reading::Strict), ("tolerant", Reading::Tolerant)] {
            group.bench_function(format!("is_valid_{name}"), |b| {
                b.iter(|| {
                    for value in &valid {
                        black_box(reading.is_valid(black_box(value)));
                    }
                })
            });
            group.bench_function(format!("parse_{name}"), |b| {
                b.iter(|| {
                    for bytes in &valid_bytes {
                        black_box(reading.parse(black_box(bytes)).is_ok());
                    }
                })
            });
        }
        group.bench_function("is_valid_tolerant_drifting", |b| {
            b.iter(|| {
                for value in &drifting {
                    black_box(Reading::Tolerant.is_valid(black_box(value)));
                }
            })
        });
        group.bench_function("parse_tolerant_drifting", |b| {
            b.iter(|| {
                for bytes in &drifting_bytes {
                    black_box(Reading::Tolerant.parse(black_box(bytes)).is_ok());
                }
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    // A 2-core shared machine: enough samples for stable medians, about 8 minutes in all.
    Criterion::default().sample_size(60).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(6))
}

criterion_group! {
    name = validation;
    config = config();
    targets = benches
}
criterion_main!(validation);
