//! Starting points for a new design: the example designs in `examples/`, compiled into the app.

use archsim_model::Design;

/// One bundled example.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The example's file stem ("mm1", "three-tier").
    pub id: &'static str,
    pub name: String,
    /// The first line of the design's description.
    pub summary: String,
    pub design_json: &'static str,
}

impl Template {
    pub fn design(&self) -> Result<Design, Vec<String>> {
        super::import_json(self.design_json)
    }
}

/// The bundled examples, by file stem, in the order the template picker shows them (simple
/// queueing models first, then architectures).
const SOURCES: &[(&str, &str)] = &[];

/// Every template, in picker order. An example that fails to parse is left out (the tests make
/// sure none does).
pub fn templates() -> Vec<Template> {
    SOURCES
        .iter()
        .filter_map(|&(id, design_json)| {
            let design = super::import_json(design_json).ok()?;
            Some(Template {
                id,
                name: if design.name.is_empty() {
                    id.to_string()
                } else {
                    design.name.clone()
                },
                summary: design
                    .description
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                design_json,
            })
        })
        .collect()
}

/// The template with this id.
pub fn template(id: &str) -> Option<Template> {
    templates().into_iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_example_parses_and_is_offered() {
        assert_eq!(templates().len(), SOURCES.len());
        for t in templates() {
            assert!(t.design().is_ok(), "{} does not parse", t.id);
            assert!(!t.summary.contains('\n'));
        }
    }

    #[test]
    fn every_example_file_is_bundled() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| {
                        let path = e.ok()?.path();
                        (path.extension()? == "json")
                            .then(|| path.file_stem()?.to_str().map(str::to_string))?
                    })
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let mut bundled: Vec<String> = SOURCES.iter().map(|(id, _)| id.to_string()).collect();
        bundled.sort();
        assert_eq!(
            bundled, on_disk,
            "examples/ and the bundled templates differ"
        );
    }
}
