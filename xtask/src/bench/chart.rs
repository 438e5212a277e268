//! The same run as a bar chart (SVG), one bar per benchmark, scaled within each group.

use std::fmt::Write as _;

use super::benchmarks::{BytesPath, Group, Kind};
use super::report::{Report, format_ns, format_ratio, throughput};
use super::results::Measured;

const WIDTH: f64 = 1120.0;
const LABEL_WIDTH: f64 = 370.0;
const BAR_WIDTH: f64 = 360.0;
const ROW: f64 = 22.0;
const HEADER: f64 = 30.0;
/// From the top of a group's header to its text's baseline, in pixels.
const HEADER_BASELINE: f64 = 18.0;

pub fn svg(report: &Report) -> String {
    let results = &report.results;
    let bytes_each = !results.bytes_each.is_empty();
    let sections = Group::ALL.len() + usize::from(bytes_each);
    let rows = results.measured.len() + if bytes_each { BytesPath::ALL.len() } else { 0 };
    let height = 70.0 + sections as f64 * (HEADER + 8.0) + rows as f64 * ROW + 50.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">"#
    );
    let _ = writeln!(svg, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        svg,
        r##"<text x="12" y="26" font-size="17" font-weight="bold" fill="#222">audian-events vs the jsonschema crate: median time per input (shorter is faster)</text>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="12" y="46" fill="#555">One run of `cargo xtask bench`; bars are scaled within each group. Blue: ours; orange: jsonschema; grey: floors.</text>"##
    );
    let mut y = 70.0;
    for group in Group::ALL {
        let members: Vec<&Measured> = results.in_group(group).collect();
        let _ = writeln!(
            svg,
            r##"<text x="12" y="{:.1}" font-weight="bold" fill="#222">{} ({})</text>"##,
            y + HEADER_BASELINE,
            escape(&group.title().replace('`', "")),
            escape(&report.inputs(group, "NDJSON, line by line"))
        );
        y += HEADER;
        let longest = members.iter().map(|m| results.per_input(m).unwrap_or(m.median_ns)).fold(0.0_f64, f64::max);
        for measured in members {
            let per = results.per_input(measured).unwrap_or(measured.median_ns);
            let length = if longest > 0.0 { (per / longest * BAR_WIDTH).max(2.0) } else { 2.0 };
            let color = color(measured.spec.kind());
            let mut value = match results.per_input(measured) {
                Some(per) => format!("{}/input", format_ns(per)),
                None => format!("{} per batch", format_ns(per)),
            };
            let ratio = report.ratio(measured);
            if !ratio.is_empty() {
                let _ = write!(value, " · {ratio}");
            }
            let throughput = throughput(measured);
            if throughput.ends_with("MB/s") {
                let _ = write!(value, " · {throughput}");
            }
            bar(&mut svg, y, measured.spec.label, length, color, &value);
            y += ROW;
        }
        y += 8.0;
    }
    if bytes_each {
        // Bars in proportion to the median of the examples' ratios to the floor, which the
        // targets judge.
        let _ = writeln!(
            svg,
            r##"<text x="12" y="{:.1}" font-weight="bold" fill="#222">{}</text>"##,
            y + HEADER_BASELINE,
            escape(&format!(
                "Bytes in, each example alone: median over the {} examples of each one's ratio to the floor",
                results.bytes_each.len()
            ))
        );
        y += HEADER;
        let ratio = |path| results.each_bytes_ratio(path, BytesPath::Floor).unwrap_or(0.0);
        let longest = BytesPath::ALL.into_iter().map(ratio).fold(0.0_f64, f64::max);
        for path in BytesPath::ALL {
            let length = if longest > 0.0 { (ratio(path) / longest * BAR_WIDTH).max(2.0) } else { 2.0 };
            let median = results.each_bytes_median(path).map(format_ns).unwrap_or_default();
            let value = format!("{} the floor · median {median}/input", format_ratio(ratio(path)));
            bar(&mut svg, y, path.label(), length, color(path.function().kind()), &value);
            y += ROW;
        }
        y += 8.0;
    }
    let env = &report.environment;
    let versions = &env.versions;
    let _ = writeln!(
        svg,
        r##"<text x="12" y="{:.1}" fill="#555" font-size="12">{}</text>"##,
        y + 16.0,
        escape(&format!(
            "{}; jsonschema {} (runtime), {} (macro); serde_json {}",
            env.rustc, versions.jsonschema_runtime, versions.jsonschema_macro, versions.serde_json
        ))
    );
    let _ = writeln!(
        svg,
        r##"<text x="12" y="{:.1}" fill="#555" font-size="12">{}</text>"##,
        y + 34.0,
        escape(&format!("{}, {} cores, {} of memory", env.cpu, env.cores, env.memory))
    );
    svg.push_str("</svg>\n");
    svg
}

fn color(kind: Kind) -> &'static str {
    match kind {
        Kind::Ours => "#2b6cb0",
        Kind::Reference => "#dd6b20",
        Kind::Floor => "#a0aec0",
    }
}

/// One row: the label (without backticks), the bar, and the figures after it.
fn bar(svg: &mut String, y: f64, label: &str, length: f64, color: &str, value: &str) {
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#222">{}</text>"##,
        LABEL_WIDTH - 8.0,
        y + 15.0,
        escape(&label.replace('`', ""))
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{LABEL_WIDTH}" y="{:.1}" width="{length:.1}" height="{:.1}" fill="{color}"/>"##,
        y + 3.0,
        ROW - 6.0
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
        LABEL_WIDTH + length + 6.0,
        y + 15.0,
        escape(value)
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::super::report::tests::report;
    use super::*;

    /// The elements of an SVG of this chart's shape (no comments, no CDATA): each tag's name
    /// and whether it opens, closes or is empty, checking that the nesting is balanced and
    /// that attributes and text hold no unescaped markup.
    fn elements(svg: &str) -> Vec<(String, &'static str)> {
        let mut open = Vec::new();
        let mut seen = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            assert!(!rest[..start].contains('>'), "a stray `>` in text: {:?}", &rest[..start]);
            let end = start + rest[start..].find('>').expect("a tag ends");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "a `<` inside a tag: {tag:?}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop().as_deref(), Some(name), "closing {name} out of order");
                seen.push((name.to_owned(), "close"));
            } else {
                let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                if tag.ends_with('/') {
                    seen.push((name, "empty"));
                } else {
                    open.push(name.clone());
                    seen.push((name, "open"));
                }
            }
            rest = &rest[end + 1..];
        }
        assert!(open.is_empty(), "unclosed: {open:?}");
        assert_eq!(rest.trim(), "");
        seen
    }

    #[test]
    fn the_chart_is_well_formed_with_one_svg_root() {
        let svg = svg(&report(None));
        let elements = elements(&svg);
        assert_eq!(elements.first(), Some(&("svg".to_owned(), "open")));
        assert_eq!(elements.last(), Some(&("svg".to_owned(), "close")));
        assert_eq!(elements.iter().filter(|(name, _)| name == "svg").count(), 2);
    }

    #[test]
    fn one_bar_per_benchmark_in_its_kind_colour() {
        let report = report(None);
        let svg = svg(&report);
        let bars: Vec<&str> = svg.lines().filter(|line| line.starts_with("<rect x=")).collect();
        assert_eq!(bars.len(), report.results.measured.len() + BytesPath::ALL.len());
        assert!(bars[0].ends_with(r##"fill="#2b6cb0"/>"##), "ours is blue: {}", bars[0]);
        assert!(bars[1].ends_with(r##"fill="#dd6b20"/>"##), "references are orange: {}", bars[1]);
        assert!(bars[13].ends_with(r##"fill="#a0aec0"/>"##), "floors are grey: {}", bars[13]);
        let last = report.results.measured.len();
        let colours: Vec<&str> = bars[last..].iter().map(|bar| &bar[bar.len() - 10..bar.len() - 3]).collect();
        assert_eq!(colours, ["#a0aec0", "#2b6cb0", "#2b6cb0", "#2b6cb0", "#2b6cb0", "#dd6b20"]);
    }

    #[test]
    fn each_example_alone_is_charted_as_the_median_ratio_to_the_floor() {
        let svg = svg(&report(None));
        assert!(svg.contains(
            ">Bytes in, each example alone: median over the 2 examples of each one's ratio to the floor</text>"
        ));
        assert!(svg.contains(">ours is_valid_slice</text>"), "{svg}");
        assert!(svg.contains(">1.40x the floor · median 210 ns/input</text>"), "{svg}");
        // `Value` + runtime has the longest median ratio (6.25x), the floor 1.00x.
        assert!(svg.contains(r##"width="360.0" height="16.0" fill="#dd6b20"/>"##));
        assert!(svg.contains(r##"width="57.6" height="16.0" fill="#a0aec0"/>"##));
    }

    #[test]
    fn bars_are_scaled_to_the_longest_of_their_group() {
        let svg = svg(&report(None));
        // is_valid: ours 50 ns per input, runtime 250, macro 125.
        assert!(svg.contains(r##"<rect x="370" y="103.0" width="72.0" height="16.0" fill="#2b6cb0"/>"##), "{svg}");
        assert!(svg.contains(r##"<rect x="370" y="125.0" width="360.0" height="16.0" fill="#dd6b20"/>"##));
        assert!(svg.contains(r##"<rect x="370" y="147.0" width="180.0" height="16.0" fill="#dd6b20"/>"##));
    }

    #[test]
    fn labels_lose_their_backticks_and_text_is_escaped() {
        let svg = svg(&report(None));
        assert!(svg.contains(">Validate a parsed Value, boolean (2 valid examples)</text>"));
        assert!(svg.contains(">floor: from_slice::&lt;IgnoredAny&gt; (syntax only)</text>"), "{svg}");
        assert!(svg.contains(">Bytes to validated typed event, NDJSON (1.00 MB NDJSON, line by line)</text>"));
        assert!(svg.contains(">1.20 ms per batch · 833 MB/s</text>"));
        assert!(svg.contains(">250 ns/input · ours 5.00x faster</text>"));
    }
}
