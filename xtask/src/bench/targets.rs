//! The targets of issue 5, and whether a run meets them.

/// How many times faster ours is than a reference at `is_valid`, measured two ways.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speedup {
    /// Over a pass of the whole corpus.
    pub over_a_pass: Option<f64>,
    /// The median over the examples of each one's ratio, each timed alone.
    pub each_example_median: Option<f64>,
}

/// The figures of one run that the targets are judged on; `None` where not measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub is_valid_vs_macro: Speedup,
    pub is_valid_vs_runtime: Speedup,
    /// Bytes to validated typed event, against `from_slice::<Value>` + the jsonschema runtime.
    pub bytes_to_event_vs_runtime: Option<f64>,
    /// What validation adds to our unvalidated typed parse, in percent.
    pub validation_overhead: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    /// A figure it needs was not measured.
    Unknown,
}

impl Verdict {
    fn of(met: Option<bool>) -> Verdict {
        match met {
            Some(true) => Verdict::Met,
            Some(false) => Verdict::NotMet,
            None => Verdict::Unknown,
        }
    }

    /// As the report shows it, all of one width.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met    ",
            Verdict::NotMet => "NOT MET",
            Verdict::Unknown => "unknown",
        }
    }
}

/// One target and this run's verdict on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub what: &'static str,
    /// The figures it was judged on, as shown.
    pub value: String,
    pub verdict: Verdict,
}

const IS_VALID_VS_MACRO: f64 = 3.0;
const IS_VALID_VS_RUNTIME: f64 = 6.0;
const BYTES_TO_EVENT_VS_RUNTIME: f64 = 3.0;
/// In percent.
const MAX_VALIDATION_OVERHEAD: f64 = 15.0;

/// The verdict on each target.
pub fn judge(figures: &Figures) -> [Target; 4] {
    let shown = |value: Option<f64>| value.map_or_else(|| "not measured".into(), |v| format!("{v:.2}x"));
    // Met only if met both over a pass of the whole corpus and, as the median of the examples'
    // ratios, on each example alone.
    let is_valid = |what, speedup: Speedup, goal: f64| Target {
        what,
        value: format!(
            "{} over a pass of the corpus, {} on each example alone (median)",
            shown(speedup.over_a_pass),
            shown(speedup.each_example_median)
        ),
        verdict: Verdict::of(
            speedup.over_a_pass.zip(speedup.each_example_median).map(|(pass, each)| pass >= goal && each >= goal),
        ),
    };
    let overhead = figures.validation_overhead;
    [
        is_valid(
            "`is_valid` at least 3x faster than the jsonschema macro validator",
            figures.is_valid_vs_macro,
            IS_VALID_VS_MACRO,
        ),
        is_valid(
            "`is_valid` at least 6x faster than the jsonschema runtime validator",
            figures.is_valid_vs_runtime,
            IS_VALID_VS_RUNTIME,
        ),
        Target {
            what: "bytes to validated typed event at least 3x faster than `Value` + jsonschema runtime",
            value: shown(figures.bytes_to_event_vs_runtime),
            verdict: Verdict::of(figures.bytes_to_event_vs_runtime.map(|v| v >= BYTES_TO_EVENT_VS_RUNTIME)),
        },
        Target {
            what: "validation adds at most 15% to our unvalidated typed parse",
            value: overhead.map_or_else(|| "not measured".into(), |v| format!("{v:+.1}%")),
            verdict: Verdict::of(overhead.map(|v| v <= MAX_VALIDATION_OVERHEAD)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEASURED: Figures = Figures {
        is_valid_vs_macro: Speedup { over_a_pass: Some(3.2), each_example_median: Some(3.0) },
        is_valid_vs_runtime: Speedup { over_a_pass: Some(6.5), each_example_median: Some(5.99) },
        bytes_to_event_vs_runtime: Some(2.0),
        validation_overhead: Some(9.24),
    };

    fn verdicts(figures: &Figures) -> Vec<Verdict> {
        judge(figures).iter().map(|target| target.verdict).collect()
    }

    #[test]
    fn a_speedup_target_is_met_at_the_goal_and_not_below() {
        assert_eq!(verdicts(&MEASURED), [Verdict::Met, Verdict::NotMet, Verdict::NotMet, Verdict::Met]);
    }

    #[test]
    fn is_valid_targets_need_both_the_pass_and_each_example() {
        let mut figures = MEASURED;
        figures.is_valid_vs_macro = Speedup { over_a_pass: Some(2.9), each_example_median: Some(4.0) };
        assert_eq!(judge(&figures)[0].verdict, Verdict::NotMet);
        figures.is_valid_vs_macro.each_example_median = None;
        assert_eq!(judge(&figures)[0].verdict, Verdict::Unknown);
        assert_eq!(
            judge(&figures)[0].value,
            "2.90x over a pass of the corpus, not measured on each example alone (median)"
        );
    }

    #[test]
    fn the_overhead_target_is_a_ceiling_in_percent() {
        let targets = judge(&MEASURED);
        assert_eq!(targets[3].value, "+9.2%");
        let over = Figures { validation_overhead: Some(15.1), ..MEASURED };
        assert_eq!(judge(&over)[3].verdict, Verdict::NotMet);
        let exactly = Figures { validation_overhead: Some(15.0), ..MEASURED };
        assert_eq!(judge(&exactly)[3].verdict, Verdict::Met);
    }

    #[test]
    fn unmeasured_figures_give_unknown_verdicts() {
        let none = Speedup { over_a_pass: None, each_example_median: None };
        let figures = Figures {
            is_valid_vs_macro: none,
            is_valid_vs_runtime: none,
            bytes_to_event_vs_runtime: None,
            validation_overhead: None,
        };
        let targets = judge(&figures);
        assert!(targets.iter().all(|target| target.verdict == Verdict::Unknown));
        assert_eq!(targets[2].value, "not measured");
        assert_eq!(targets[3].value, "not measured");
    }

    #[test]
    fn verdict_labels_line_up() {
        let labels = [Verdict::Met, Verdict::NotMet, Verdict::Unknown].map(Verdict::label);
        assert_eq!(labels, ["met    ", "NOT MET", "unknown"]);
    }
}
