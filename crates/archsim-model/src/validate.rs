use crate::{design::Design, problem::Problem};
pub fn validate(_design: &Design) -> Vec<Problem> {
    Vec::new()
}
