//! Prints the report fingerprint of every design in `examples/` and `bench/designs/` (and of a
//! second seed and of two replications), one per line, so an engine change that must not alter
//! any result can be checked by diffing this output before and after it:
//!
//! ```sh
//! cargo run -p archsim-engine --release --example fingerprints > before.txt
//! ```

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    for dir in ["examples", "bench/designs"] {
        let entries = std::fs::read_dir(root.join(dir)).expect("design directory");
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|x| x == "json") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    for path in paths {
        let json = std::fs::read_to_string(&path).expect("readable design");
        let design = archsim_model::parse_design(&json)
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", path.display()));
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let mut variants = vec![("as saved", design.clone())];
        let mut other_seed = design.clone();
        other_seed.run.seed = other_seed.run.seed.wrapping_add(7);
        other_seed.run.duration_ms = other_seed.run.duration_ms.min(60_000.0);
        variants.push(("seed+7, ≤60 s", other_seed));
        let mut two = design;
        two.run.replications = 2;
        two.run.duration_ms = two.run.duration_ms.min(30_000.0);
        two.run.warmup_ms = two.run.warmup_ms.min(3_000.0);
        variants.push(("2 replications, ≤30 s", two));
        for (variant, design) in variants {
            let report = archsim_engine::run(&design, &mut |_| {}).expect("design runs");
            println!(
                "{name:36} {variant:22} {:016x} events {}",
                archsim_engine::report_fingerprint(&report),
                report.events
            );
        }
    }
}
