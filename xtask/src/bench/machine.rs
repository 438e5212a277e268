//! The versions measured and the machine measured on: `rustc -V`, the versions that the bench
//! crate resolves (from `cargo metadata`), and the CPU and memory (from `/proc`).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The package of the benchmarks, whose dependencies are what is measured.
const BENCH_PACKAGE: &str = "audian-events-bench";

/// The versions and the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub rustc: String,
    pub versions: Versions,
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
}

/// The versions of the crates measured, as the bench crate resolves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// `jsonschema`, the runtime validator (the workspace's version).
    pub jsonschema_runtime: String,
    /// `jsonschema_macros_ref`, the compile-time macro validator (a pinned older `jsonschema`).
    pub jsonschema_macro: String,
    pub serde_json: String,
    pub criterion: String,
}

impl Environment {
    pub fn probe(workspace: &Path) -> Environment {
        let rustc_path = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let rustc = Command::new(rustc_path)
            .arg("-V")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .map(|text| text.trim().to_owned())
            .unwrap_or_else(|| "rustc (unknown version)".into());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let metadata = Command::new(cargo)
            .current_dir(workspace)
            .args(["metadata", "--format-version", "1"])
            .output()
            .ok()
            .filter(|output| output.status.success())
            .and_then(|output| serde_json::from_slice::<Value>(&output.stdout).ok())
            .unwrap_or_default();
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Environment {
            rustc,
            versions: Versions::from_metadata(&metadata),
            cpu: cpu_model(&cpuinfo).unwrap_or("unknown CPU").to_owned(),
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            memory: memory_total(&meminfo).unwrap_or_else(|| "unknown".into()),
        }
    }
}

impl Versions {
    /// From the output of `cargo metadata --format-version 1`: the versions of the packages that
    /// the bench crate's dependencies resolve to, named as it names them; `unknown` for each not
    /// found.
    pub fn from_metadata(metadata: &Value) -> Versions {
        let empty = Vec::new();
        let packages = metadata["packages"].as_array().unwrap_or(&empty);
        let bench_id = packages
            .iter()
            .find(|package| package["name"] == BENCH_PACKAGE && package["source"].is_null())
            .map(|package| &package["id"]);
        let bench_deps = metadata["resolve"]["nodes"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .find(|node| Some(&node["id"]) == bench_id)
            .and_then(|node| node["deps"].as_array())
            .unwrap_or(&empty);
        // A dependency is named as the bench crate's code names it (renamed, with `_`).
        let version_of = |dependency: &str| {
            bench_deps
                .iter()
                .find(|dep| dep["name"] == dependency)
                .and_then(|dep| packages.iter().find(|package| package["id"] == dep["pkg"]))
                .and_then(|package| package["version"].as_str())
                .unwrap_or("unknown")
                .to_owned()
        };
        Versions {
            jsonschema_runtime: version_of("jsonschema"),
            jsonschema_macro: version_of("jsonschema_macros_ref"),
            serde_json: version_of("serde_json"),
            criterion: version_of("criterion"),
        }
    }
}

/// The first `model name` of `/proc/cpuinfo`.
pub fn cpu_model(cpuinfo: &str) -> Option<&str> {
    cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, v)| v.trim()))
}

/// `MemTotal` of `/proc/meminfo`, in whole GiB.
pub fn memory_total(meminfo: &str) -> Option<String> {
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| format!("{:.0} GiB", kib as f64 / (1024.0 * 1024.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPUINFO: &str = "\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC 7B13
stepping\t: 0

processor\t: 1
model name\t: AMD EPYC 7B13
";

    const MEMINFO: &str = "\
MemTotal:       25165824 kB
MemFree:         1048576 kB
";

    #[test]
    fn cpu_is_the_first_model_name() {
        assert_eq!(cpu_model(CPUINFO), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor\t: 0\nmodel\t\t: 1\n"), None);
    }

    #[test]
    fn memory_is_memtotal_in_gib() {
        assert_eq!(memory_total(MEMINFO).as_deref(), Some("24 GiB"));
        assert_eq!(memory_total("MemFree: 1 kB\n"), None);
    }

    /// `cargo metadata --format-version 1`, reduced to what is read: two versions of jsonschema
    /// (the older one under the bench crate's renamed dependency), and another package of
    /// the same name as the bench crate from a registry.
    const METADATA: &str = r#"{
        "packages": [
            {"name": "audian-events-bench", "version": "9.9.9", "id": "registry+https://example.org#audian-events-bench@9.9.9", "source": "registry+https://example.org"},
            {"name": "audian-events-bench", "version": "0.1.0", "id": "path+file:///w/bench#audian-events-bench@0.1.0", "source": null},
            {"name": "jsonschema", "version": "0.60.2", "id": "registry+https://github.com/rust-lang/crates.io-index#jsonschema@0.60.2", "source": "registry+https://github.com/rust-lang/crates.io-index"},
            {"name": "jsonschema", "version": "0.61.2", "id": "registry+https://github.com/rust-lang/crates.io-index#jsonschema@0.61.2", "source": "registry+https://github.com/rust-lang/crates.io-index"},
            {"name": "serde_json", "version": "1.0.154", "id": "registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.154", "source": "registry+https://github.com/rust-lang/crates.io-index"},
            {"name": "serde_json", "version": "1.0.100", "id": "registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.100", "source": "registry+https://github.com/rust-lang/crates.io-index"},
            {"name": "criterion", "version": "0.8.2", "id": "registry+https://github.com/rust-lang/crates.io-index#criterion@0.8.2", "source": "registry+https://github.com/rust-lang/crates.io-index"}
        ],
        "resolve": {"nodes": [
            {"id": "registry+https://example.org#audian-events-bench@9.9.9", "deps": [
                {"name": "serde_json", "pkg": "registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.100"}
            ]},
            {"id": "path+file:///w/bench#audian-events-bench@0.1.0", "deps": [
                {"name": "criterion", "pkg": "registry+https://github.com/rust-lang/crates.io-index#criterion@0.8.2", "dep_kinds": [{"kind": "dev", "target": null}]},
                {"name": "jsonschema_macros_ref", "pkg": "registry+https://github.com/rust-lang/crates.io-index#jsonschema@0.60.2"},
                {"name": "jsonschema", "pkg": "registry+https://github.com/rust-lang/crates.io-index#jsonschema@0.61.2"},
                {"name": "serde_json", "pkg": "registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.154"}
            ]}
        ]}
    }"#;

    #[test]
    fn versions_are_those_the_bench_crate_resolves() {
        let versions = Versions::from_metadata(&serde_json::from_str(METADATA).unwrap());
        assert_eq!(
            versions,
            Versions {
                jsonschema_runtime: "0.61.2".into(),
                jsonschema_macro: "0.60.2".into(),
                serde_json: "1.0.154".into(),
                criterion: "0.8.2".into(),
            }
        );
    }

    #[test]
    fn versions_not_found_are_unknown() {
        let versions = Versions::from_metadata(&Value::Null);
        assert_eq!(versions.jsonschema_runtime, "unknown");
        assert_eq!(versions.criterion, "unknown");
    }
}
