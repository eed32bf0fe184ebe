//! Writing to stdout without panicking when the reader goes away (`archsim schema | head`).

use std::io::{self, Write};

use archsim_model::Report;

/// Writes `text` to stdout. A closed pipe ends the process quietly, as other Unix tools do;
/// any other write error is reported on stderr.
pub fn print_stdout(text: &str) {
    let mut stdout = io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = result
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        print_stderr_line(&format!("archsim: cannot write the output: {error}"));
    }
}

/// Writes one line to stderr. A closed or failing stderr is ignored: diagnostics are a courtesy,
/// and the exit status still says how the command ended (`eprintln!` would panic instead).
pub fn print_stderr_line(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// `eprintln!` without the panic: formats one line and writes it with [`print_stderr_line`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::print_stderr_line(&format!($($arg)*))
    };
}

/// The report as pretty JSON, newline-terminated.
pub fn report_json(report: &Report) -> String {
    let mut text =
        serde_json::to_string_pretty(report).expect("a Report has only string keys and plain data");
    text.push('\n');
    text
}
