//! Reading a design file and turning every way it can be wrong into one clear line each.

use std::io::{self, Read};

use archsim_model::{Design, Problem};

/// Why a design could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read at all.
    Unreadable { reason: String },
    /// The file was read but is not JSON, not a design, or not a valid one.
    Invalid(Vec<Problem>),
}

impl LoadError {
    /// Writes the error to stderr: one line per problem, then one line naming the file.
    pub fn print(&self, source: &str) {
        let name = display_name(source);
        match self {
            LoadError::Unreadable { reason } => {
                crate::say!("archsim: cannot read {name}: {reason}");
            }
            LoadError::Invalid(problems) => {
                for problem in problems {
                    crate::say!("{}", problem_line(problem));
                }
                let count = problems.len();
                let plural = if count == 1 { "" } else { "s" };
                crate::say!("archsim: {name} is not a valid design ({count} problem{plural})");
            }
        }
    }
}

/// Reads and parses a design from a path, or from standard input when the path is `-`.
///
/// A design whose structure is sound is returned without checking its meaning: `run` applies
/// its command-line overrides (seed, duration, replications) first and checks the result, so a
/// file made valid by an override still runs. A design that does not parse is refused with
/// every problem the file has, of both kinds, as `validate` lists them — not only the
/// structural ones.
pub fn load_design(source: &str) -> Result<Design, LoadError> {
    let text = read_design_text(source)?;
    archsim_model::parse_design(&text).map_err(|structural| {
        match archsim_model::load_design(&text) {
            Err(all) => LoadError::Invalid(all),
            // Cannot happen (a design that does not parse cannot load); keep what was found.
            Ok(_) => LoadError::Invalid(structural),
        }
    })
}

/// Reads a design and checks both its structure and its meaning (ids that must exist, ranges,
/// cycles), reporting every problem of both kinds in one list: what `validate` needs.
pub fn load_valid_design(source: &str) -> Result<Design, LoadError> {
    let text = read_design_text(source)?;
    archsim_model::load_design(&text).map_err(LoadError::Invalid)
}

fn read_design_text(source: &str) -> Result<String, LoadError> {
    read_source(source).map_err(|error| LoadError::Unreadable {
        reason: describe_io_error(&error),
    })
}

/// `path: message`; problems with the whole document have the path `$`.
/// Ids and other text from the design inside it are escaped, so a hostile id can neither forge
/// another line nor send the terminal an escape sequence.
pub fn problem_line(problem: &Problem) -> String {
    crate::safe_text::escape(&problem.to_string()).into_owned()
}

pub fn display_name(source: &str) -> std::borrow::Cow<'_, str> {
    if source == "-" {
        "standard input".into()
    } else {
        crate::safe_text::escape(source)
    }
}

fn read_source(source: &str) -> io::Result<String> {
    if source == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(source)
    }
}

/// Plain words for the common cases; the OS text otherwise.
fn describe_io_error(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "it is a directory, not a file".into(),
        io::ErrorKind::InvalidData => "the file is not UTF-8 text".into(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_unreadable_with_a_plain_reason() {
        let error = load_design("/nonexistent/archsim/design.json").unwrap_err();
        match error {
            LoadError::Unreadable { reason } => assert_eq!(reason, "no such file"),
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn directory_is_unreadable_not_a_panic() {
        let error = load_design(env!("CARGO_MANIFEST_DIR")).unwrap_err();
        assert!(matches!(error, LoadError::Unreadable { .. }));
    }

    #[test]
    fn non_utf8_file_is_unreadable_with_a_reason() {
        let path =
            std::env::temp_dir().join(format!("archsim-cli-latin1-{}.json", std::process::id()));
        std::fs::write(&path, [0x7b, 0xe9, 0x7d]).unwrap();
        let error = load_design(path.to_str().unwrap()).unwrap_err();
        std::fs::remove_file(&path).ok();
        match error {
            LoadError::Unreadable { reason } => assert_eq!(reason, "the file is not UTF-8 text"),
            other => panic!("expected Unreadable, got {other:?}"),
        }
    }

    #[test]
    fn problem_line_puts_the_path_first() {
        let problem = Problem {
            path: "nodes[1].params.workers".into(),
            message: "must be at least 1".into(),
        };
        assert_eq!(
            problem_line(&problem),
            "nodes[1].params.workers: must be at least 1"
        );
    }
}
