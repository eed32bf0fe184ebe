//! Form fields of the properties panel: numbers with units, selects, checkboxes, text, and
//! optional sections with an enable toggle.
//!
//! Every field knows the JSON path of the value it edits (e.g. `nodes[2].params.workers`). The
//! design's validation problems reach the fields through [`FieldProblems`] in a context, keyed by
//! that path, so a bad value is marked where it is typed. Text that is not a number at all never
//! reaches the design: the field keeps it and says why it was not taken.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Validation problems of the current design, by JSON path. Shared through a context so that
/// deeply nested fields can find theirs without every form passing them down.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldProblems(pub Rc<BTreeMap<String, String>>);

impl FieldProblems {
    pub fn at(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
}

/// The fields of a bulk edit (several nodes of one kind edited together) whose values differ
/// between the nodes, by JSON path: they show "mixed" instead of the first node's value. A
/// field set while it shows "mixed" writes its path into `touched`, so that the bulk edit sets
/// that value on every node even when it equals the first node's own.
#[derive(Debug, Clone, Default)]
pub struct MixedFields {
    pub paths: Rc<BTreeSet<String>>,
    pub touched: Rc<RefCell<Option<String>>>,
}

impl PartialEq for MixedFields {
    fn eq(&self, other: &Self) -> bool {
        self.paths == other.paths && Rc::ptr_eq(&self.touched, &other.touched)
    }
}

impl MixedFields {
    /// Whether the value at `path` differs between the nodes: the path itself, or a choice
    /// it belongs to (`…service_time` of another type makes `…service_time.mean_ms` mixed).
    pub fn is_mixed(&self, path: &str) -> bool {
        if self.paths.contains(path) {
            return true;
        }
        path.char_indices()
            .filter(|(_, c)| *c == '.' || *c == '[')
            .any(|(i, _)| self.paths.contains(&path[..i]))
    }

    fn touch(&self, path: &str) {
        *self.touched.borrow_mut() = Some(path.to_string());
    }
}

/// The bulk edit's mixed fields, when the field at `path` is one of them.
fn mixed_at(context: Option<MixedFields>, path: &str) -> Option<MixedFields> {
    context.filter(|m| m.is_mixed(path))
}

/// A change handler for a field of a bulk edit: the field at `path` counts as edited (when it
/// is one of the mixed ones) before `on_change` gets what `read` takes from the event.
fn emit_touching<T: 'static>(
    mixed: &Option<MixedFields>,
    path: &AttrValue,
    on_change: &Callback<T>,
    read: fn(Event) -> T,
) -> Callback<Event> {
    let (mixed, path, on_change) = (mixed.clone(), path.clone(), on_change.clone());
    Callback::from(move |event: Event| {
        if let Some(mixed) = &mixed {
            mixed.touch(&path);
        }
        on_change.emit(read(event));
    })
}

/// Whether the checkbox an event came from is ticked.
fn checked(event: Event) -> bool {
    event.target_unchecked_into::<HtmlInputElement>().checked()
}

/// What a field showing "mixed" says, in its placeholder and to screen readers.
pub const MIXED: &str = "mixed";

/// Number fields holding text that is not a value ("abc" in a count), by JSON path: what the
/// person sees there is not what the design holds (it keeps the last value that was), so Run is
/// off until each is fixed or undone. Fields report their drafts through [`DraftReporter`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvalidDrafts(pub BTreeMap<String, String>);

/// A field's draft became invalid (`Some(why, as a sentence for the run bar)`) or valid again,
/// or the field went away (`None`).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftChange {
    pub path: String,
    pub invalid: Option<String>,
}

impl InvalidDrafts {
    /// One sentence per invalid draft, for the reasons Run is off, each naming the node, edge
    /// or fault of the field.
    pub fn blockers(&self, design: &archsim_model::Design) -> Vec<crate::state::Blocker> {
        self.0
            .iter()
            .map(|(path, sentence)| crate::state::Blocker {
                sentence: match crate::state::path_owner(design, path) {
                    Some(owner) => format!("{owner}: {sentence}"),
                    None => sentence.clone(),
                },
                details: None,
            })
            .collect()
    }

    /// The sentence for a draft of field `label` that is not a value, and why.
    pub fn sentence(label: &str, typed: &str, reason: &str, kept: &str) -> String {
        format!(
            "“{label}” holds “{}”, which is not a value it takes ({reason}); the design still \
             has {kept}. Correct the entry or undo it",
            typed.trim()
        )
    }
}

impl Reducible for InvalidDrafts {
    type Action = DraftChange;

    fn reduce(self: Rc<Self>, change: DraftChange) -> Rc<Self> {
        if self.0.get(&change.path) == change.invalid.as_ref() {
            return self;
        }
        let mut next = (*self).clone();
        match change.invalid {
            Some(sentence) => next.0.insert(change.path, sentence),
            None => next.0.remove(&change.path),
        };
        Rc::new(next)
    }
}

/// Where number fields report their drafts (a context; absent in tests of a lone field).
#[derive(Clone, PartialEq)]
pub struct DraftReporter(pub Callback<DraftChange>);

/// The problem recorded for `path`, if any, from the (optional) problems context.
/// What a field shows under its input: the problem with its value when there is one (read out
/// to screen readers), else its hint, else nothing.
fn field_note(problem: Option<String>, hint: Option<AttrValue>) -> Html {
    match (problem, hint) {
        (Some(reason), _) => html! { <span class="field-problem" role="alert">{ reason }</span> },
        (None, Some(hint)) => html! { <span class="field-hint">{ hint }</span> },
        (None, None) => Html::default(),
    }
}

fn problem_at(problems: Option<FieldProblems>, path: &str) -> Option<String> {
    problems.and_then(|problems| problems.at(path))
}

/// What a number field accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberKind {
    /// Any finite number; range rules are the model validation's business.
    Real,
    /// A whole number from 0 up to the given maximum (the Rust type's range).
    Count { max: u64 },
    /// A fraction in the design shown as a percentage: the field reads 25 for 0.25.
    Percent,
    /// A duration in milliseconds, typed bare (`250`) or with any unit (`250ms`, `90s`,
    /// `1.5m`, `1h`), as the CLI accepts them.
    Millis,
    /// A rate per second, typed bare (`1200`), in thousands or millions (`1.2k`, `2M`), with or
    /// without the unit (`1.2k rps`, `300/s`).
    Rate,
}

impl NumberKind {
    pub const U32: NumberKind = NumberKind::Count {
        max: u32::MAX as u64,
    };
    pub const U64: NumberKind = NumberKind::Count {
        // f64 holds every integer up to 2^53 exactly; beyond that typing is meaningless anyway.
        max: 1 << 53,
    };

    /// The design value as the field shows it.
    fn to_display(self, value: f64) -> String {
        match self {
            NumberKind::Percent => format_number(value * 100.0),
            _ => format_number(value),
        }
    }

    /// Typed text to a design value, or the reason it is not one.
    pub fn parse(self, text: &str) -> Result<f64, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("enter a number".into());
        }
        if self == NumberKind::Rate {
            return parse_rate(trimmed).ok_or_else(|| {
                format!("“{trimmed}” is not a rate: write 1200, 1.2k or 2M (per second)")
            });
        }
        if self == NumberKind::Millis {
            return archsim_model::units::duration_ms(trimmed, 1.0).ok_or_else(|| {
                format!("“{trimmed}” is not a duration: write 250 (ms), 250ms, 90s, 1.5m or 1h")
            });
        }
        let number: f64 = trimmed
            .parse()
            .map_err(|_| format!("“{trimmed}” is not a number"))?;
        if !number.is_finite() {
            return Err("must be a finite number".into());
        }
        match self {
            NumberKind::Real | NumberKind::Millis | NumberKind::Rate => Ok(number),
            NumberKind::Percent => Ok(number / 100.0),
            NumberKind::Count { max } => {
                if number.fract() != 0.0 || number < 0.0 {
                    Err("must be a whole number, 0 or more".into())
                } else if number > max as f64 {
                    Err(format!("must be at most {max}"))
                } else {
                    Ok(number)
                }
            }
        }
    }
}

/// A rate as people type it: `1200`, `1.2k`, `2M`, optionally followed by `rps` or `/s`.
fn parse_rate(text: &str) -> Option<f64> {
    let text = text.trim();
    let text = text
        .strip_suffix("rps")
        .or_else(|| text.strip_suffix("/s"))
        .unwrap_or(text)
        .trim_end();
    let (number, scale) = match text.char_indices().last()? {
        (i, 'k' | 'K') => (&text[..i], 1e3),
        (i, 'M') => (&text[..i], 1e6),
        _ => (text, 1.0),
    };
    let value: f64 = number.trim().parse().ok()?;
    let value = value * scale;
    value.is_finite().then_some(value)
}

/// A number without float noise: 0.07·100 shows as 7, not 7.000000000000001.
pub fn format_number(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    if value.abs() >= 1e15 || value.abs() < 1e-9 {
        return format!("{value}");
    }
    // Twelve significant digits are more than anyone types, and few enough to drop the noise.
    let digits = (12 - 1 - value.abs().log10().floor() as i32).clamp(0, 17) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// How long typing must pause before a number field applies what it holds (Enter and leaving
/// the field apply it at once).
pub const COMMIT_PAUSE_MS: u32 = 700;

#[derive(Properties, PartialEq)]
pub struct NumberFieldProps {
    pub label: AttrValue,
    /// JSON path of the value, for problem lookup and as `data-path` for tests.
    pub path: AttrValue,
    pub value: f64,
    pub on_change: Callback<f64>,
    #[prop_or(NumberKind::Real)]
    pub kind: NumberKind,
    /// Unit shown after the input ("ms", "rps", "%"…).
    #[prop_or_default]
    pub unit: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component(NumberField)]
pub fn number_field(props: &NumberFieldProps) -> Html {
    // Every field in milliseconds reads durations in any unit ("90s" in a run's duration).
    let kind = match (props.kind, props.unit.as_deref()) {
        (NumberKind::Real, Some("ms")) => NumberKind::Millis,
        (NumberKind::Real, Some("rps")) => NumberKind::Rate,
        (kind, _) => kind,
    };
    let mixed = mixed_at(use_context::<MixedFields>(), &props.path);
    let text = use_state(|| {
        if mixed.is_some() {
            String::new()
        } else {
            kind.to_display(props.value)
        }
    });
    let local_error = use_state(|| None::<String>);
    let model_problem = problem_at(use_context::<FieldProblems>(), &props.path);
    let reporter = use_context::<DraftReporter>();

    // The value changed from outside (undo, another control): show it, unless the text already
    // means this value (the user is mid-edit, e.g. "1." on the way to "1.5"). A mixed field
    // shows nothing (its placeholder says "mixed") until something is typed.
    {
        let text = text.clone();
        let local_error = local_error.clone();
        let is_mixed = mixed.is_some();
        use_effect_with(
            (props.value, kind, is_mixed),
            move |(value, kind, is_mixed)| {
                if *is_mixed {
                    if kind.parse(&text).is_err() {
                        text.set(String::new());
                        local_error.set(None);
                    }
                } else if kind.parse(&text).ok() != Some(*value) {
                    text.set(kind.to_display(*value));
                    local_error.set(None);
                }
            },
        );
    }
    // An entry that is not a value is reported while it is shown (Run is off meanwhile), and
    // withdrawn once it is fixed, replaced from outside, or the field goes away.
    {
        let reporter = reporter.clone();
        let path = props.path.to_string();
        let label = props.label.to_string();
        let kept = format!(
            "{}{}",
            kind.to_display(props.value),
            props
                .unit
                .as_ref()
                .map(|u| format!(" {u}"))
                .unwrap_or_else(|| if matches!(kind, NumberKind::Percent) {
                    "%".into()
                } else {
                    String::new()
                })
        );
        let draft = (*local_error)
            .clone()
            .map(|reason| (reason, (*text).clone()));
        use_effect_with((path, draft), move |(path, draft)| {
            if let Some(DraftReporter(report)) = &reporter {
                report.emit(DraftChange {
                    path: path.clone(),
                    invalid: draft.as_ref().map(|(reason, typed)| {
                        InvalidDrafts::sentence(&label, typed, reason, &kept)
                    }),
                });
            }
            let path = path.clone();
            move || {
                if let Some(DraftReporter(report)) = reporter {
                    report.emit(DraftChange {
                        path,
                        invalid: None,
                    });
                }
            }
        });
    }

    // An entry is applied once it is whole, never in pieces: typing "90s" must not run the
    // design with 9 ms and then 90 ms on the way (each a step of undo, each perhaps an error
    // elsewhere, like a warm-up longer than the run). In a field that takes a unit (times,
    // rates) a number may be the start of a longer entry, so a value that parses is applied
    // when the person pauses (`COMMIT_PAUSE_MS`), presses Enter or leaves the field. Counts,
    // percentages and plain numbers take no unit: each value typed is applied at once, so the
    // canvas follows the typing.
    let deferred = matches!(kind, NumberKind::Millis | NumberKind::Rate);
    // (entry number, value) typed but not yet applied; the entry number tells a timer of an
    // older keystroke that its value was replaced.
    let pending = use_mut_ref(|| None::<(u64, f64)>);
    let entries = use_mut_ref(|| 0u64);
    // The parent's latest callback: forms build theirs from the spec of their render, and a
    // value applied later must land on the spec as it is then, not as it was when typed.
    let latest_on_change = use_mut_ref(|| props.on_change.clone());
    *latest_on_change.borrow_mut() = props.on_change.clone();
    let commit = {
        let pending = pending.clone();
        let latest_on_change = latest_on_change.clone();
        let mixed = mixed.clone();
        let path = props.path.clone();
        Rc::new(move || {
            let taken = pending.borrow_mut().take();
            if let Some((_, value)) = taken {
                if let Some(mixed) = &mixed {
                    mixed.touch(&path);
                }
                let on_change = latest_on_change.borrow().clone();
                on_change.emit(value);
            }
        })
    };
    // A field that goes away (its node deselected) keeps what was typed in it.
    {
        let commit = commit.clone();
        use_effect_with((), move |_| move || commit());
    }
    let on_input = {
        let text = text.clone();
        let local_error = local_error.clone();
        let pending = pending.clone();
        let current = props.value;
        let commit = commit.clone();
        let on_change = latest_on_change.clone();
        let mixed = mixed.clone();
        let path = props.path.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let typed = input.value();
            *pending.borrow_mut() = None;
            match kind.parse(&typed) {
                Ok(value) => {
                    local_error.set(None);
                    // A mixed field's value is new to every node but the first, whatever it is.
                    let changed = value != current || mixed.is_some();
                    if changed && !deferred {
                        if let Some(mixed) = &mixed {
                            mixed.touch(&path);
                        }
                        let on_change = on_change.borrow().clone();
                        on_change.emit(value);
                    } else if changed {
                        let entry = {
                            let mut entries = entries.borrow_mut();
                            *entries += 1;
                            *entries
                        };
                        *pending.borrow_mut() = Some((entry, value));
                        let later = pending.clone();
                        let commit = commit.clone();
                        gloo_timers::callback::Timeout::new(COMMIT_PAUSE_MS, move || {
                            let still = later.borrow().is_some_and(|(e, _)| e == entry);
                            if still {
                                commit();
                            }
                        })
                        .forget();
                    }
                }
                Err(reason) => local_error.set(Some(reason)),
            }
            text.set(typed);
        })
    };
    let on_commit_change = {
        let commit = commit.clone();
        Callback::from(move |_: Event| commit())
    };
    let on_key = {
        let commit = commit.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                commit();
            }
        })
    };

    let problem = (*local_error).clone().or(model_problem);
    let unit = props
        .unit
        .clone()
        .or_else(|| matches!(kind, NumberKind::Percent).then(|| AttrValue::from("%")));
    html! {
        <label class={classes!("field", problem.is_some().then_some("field-invalid"))}>
            <span class="field-label">{ props.label.clone() }</span>
            <span class={classes!("field-control", unit.is_some().then_some("has-unit"))}>
                <input type="text" inputmode="decimal" class="field-input"
                       data-path={props.path.clone()} value={(*text).clone()}
                       aria-invalid={problem.is_some().to_string()} oninput={on_input}
                       placeholder={mixed.is_some().then_some(MIXED)}
                       onchange={on_commit_change} onkeydown={on_key} />
                if let Some(unit) = unit { <span class="field-unit">{ unit }</span> }
            </span>
            { field_note(problem, props.hint.clone()) }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub label: AttrValue,
    pub path: AttrValue,
    /// The selected option's value.
    pub value: AttrValue,
    /// `(value, label)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component(SelectField)]
pub fn select_field(props: &SelectFieldProps) -> Html {
    let problem = problem_at(use_context::<FieldProblems>(), &props.path);
    let mixed = mixed_at(use_context::<MixedFields>(), &props.path);
    let select_ref = use_node_ref();
    let on_change = emit_touching(&mixed, &props.path, &props.on_change, |event| {
        event.target_unchecked_into::<HtmlSelectElement>().value()
    });
    // A mixed select shows a "mixed" entry that cannot be chosen again.
    let value = if mixed.is_some() {
        AttrValue::Static("")
    } else {
        props.value.clone()
    };
    // The value must be matched per option: a select's `value` attribute is not applied until
    // its options exist, so `selected` is what makes the initial render right. Once the person
    // has picked an option, though, the browser no longer follows the `selected` attributes, so
    // a value changed from outside (undo, redo) is set on the element itself after each render.
    {
        let select_ref = select_ref.clone();
        let value = value.clone();
        use_effect(move || {
            if let Some(select) = select_ref.cast::<HtmlSelectElement>()
                && select.value() != *value
            {
                select.set_value(&value);
            }
        });
    }
    html! {
        <label class={classes!("field", problem.is_some().then_some("field-invalid"))}>
            <span class="field-label">{ props.label.clone() }</span>
            <select ref={select_ref} class="field-input" data-path={props.path.clone()} onchange={on_change}>
                if mixed.is_some() {
                    <option value="" disabled=true selected=true>{ MIXED }</option>
                }
                { for props.options.iter().map(|(option, label)| html! {
                    <option value={option.clone()} selected={*option == value}>
                        { label.clone() }
                    </option>
                }) }
            </select>
            { field_note(problem, props.hint.clone()) }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckFieldProps {
    pub label: AttrValue,
    pub path: AttrValue,
    pub value: bool,
    pub on_change: Callback<bool>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component(CheckField)]
pub fn check_field(props: &CheckFieldProps) -> Html {
    let problem = problem_at(use_context::<FieldProblems>(), &props.path);
    let mixed = mixed_at(use_context::<MixedFields>(), &props.path);
    let input_ref = use_node_ref();
    // A mixed checkbox is neither ticked nor clear (the browser's "indeterminate" state).
    {
        let input_ref = input_ref.clone();
        let is_mixed = mixed.is_some();
        use_effect(move || {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                input.set_indeterminate(is_mixed);
            }
        });
    }
    let on_change = emit_touching(&mixed, &props.path, &props.on_change, checked);
    html! {
        <div class={classes!("field", "field-check", problem.is_some().then_some("field-invalid"))}>
            <label class="check-row">
                <input ref={input_ref} type="checkbox" data-path={props.path.clone()} checked={props.value}
                       aria-checked={mixed.is_some().then_some("mixed")} onchange={on_change} />
                <span class="field-label">{ props.label.clone() }</span>
                if mixed.is_some() {
                    <span class="field-mixed">{ format!("({MIXED})") }</span>
                }
            </label>
            { field_note(problem, props.hint.clone()) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub label: AttrValue,
    pub path: AttrValue,
    pub value: AttrValue,
    /// Called on every keystroke with the whole text.
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub multiline: bool,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
}

#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let problem = problem_at(use_context::<FieldProblems>(), &props.path);
    let mixed = mixed_at(use_context::<MixedFields>(), &props.path);
    let (value, placeholder) = if mixed.is_some() {
        (AttrValue::Static(""), Some(AttrValue::Static(MIXED)))
    } else {
        (props.value.clone(), props.placeholder.clone())
    };
    let on_input = {
        let on_change = props.on_change.clone();
        let multiline = props.multiline;
        let mixed = mixed.clone();
        let path = props.path.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(mixed) = &mixed {
                mixed.touch(&path);
            }
            let text = if multiline {
                event.target_unchecked_into::<HtmlTextAreaElement>().value()
            } else {
                event.target_unchecked_into::<HtmlInputElement>().value()
            };
            on_change.emit(text);
        })
    };
    html! {
        <label class={classes!("field", problem.is_some().then_some("field-invalid"))}>
            <span class="field-label">{ props.label.clone() }</span>
            if props.multiline {
                <textarea class="field-input" rows="3" data-path={props.path.clone()}
                          value={value} placeholder={placeholder}
                          oninput={on_input} />
            } else {
                <input type="text" class="field-input" data-path={props.path.clone()}
                       value={value} placeholder={placeholder}
                       oninput={on_input} />
            }
            { field_note(problem, props.hint.clone()) }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct OptionalSectionProps {
    pub title: AttrValue,
    /// JSON path of the optional value; the toggle carries it as `data-toggle` (not `data-path`,
    /// which a single-value section's own field uses, e.g. `timeout_ms`).
    pub path: AttrValue,
    pub enabled: bool,
    pub on_toggle: Callback<bool>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A group of fields that exists only when switched on (an optional value in the design, such as
/// an edge's retry policy). Switching it on fills in the model's defaults.
#[function_component(OptionalSection)]
pub fn optional_section(props: &OptionalSectionProps) -> Html {
    // Switched on for some of a bulk edit's nodes and off for others.
    let mixed = use_context::<MixedFields>().filter(|m| m.paths.contains(props.path.as_str()));
    let on_change = emit_touching(&mixed, &props.path, &props.on_toggle, checked);
    html! {
        <fieldset class={classes!("optional-section", props.enabled.then_some("is-enabled"))}>
            <legend>
                <label class="check-row">
                    <input type="checkbox" data-toggle={props.path.clone()}
                           checked={props.enabled} onchange={on_change} />
                    <span>{ props.title.clone() }</span>
                    if mixed.is_some() {
                        <span class="field-mixed">{ format!("(on for some, {MIXED})") }</span>
                    }
                </label>
            </legend>
            if props.enabled {
                <div class="section-body">{ props.children.clone() }</div>
            } else if let Some(hint) = props.hint.clone() {
                <p class="field-hint">{ hint }</p>
            }
        </fieldset>
    }
}

/// A titled group of fields.
#[derive(Properties, PartialEq)]
pub struct SectionProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Section)]
pub fn section(props: &SectionProps) -> Html {
    html! {
        <fieldset class="section">
            <legend>{ props.title.clone() }</legend>
            <div class="section-body">{ props.children.clone() }</div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_thousands_and_millions() {
        let rate = NumberKind::Rate;
        assert_eq!(rate.parse("1.2k"), Ok(1200.0));
        assert_eq!(rate.parse("2M"), Ok(2e6));
        assert_eq!(rate.parse("300/s"), Ok(300.0));
        assert_eq!(rate.parse("1.5k rps"), Ok(1500.0));
        assert_eq!(rate.parse("250"), Ok(250.0));
        assert!(rate.parse("fast").is_err());
        assert!(rate.parse("1.2x").is_err());
    }

    // Regression: "60s" in the run's duration was "not a number" although the CLI takes it.
    #[test]
    fn duration_fields_take_any_unit_and_bare_milliseconds() {
        let kind = NumberKind::Millis;
        assert_eq!(kind.parse("60s"), Ok(60_000.0));
        assert_eq!(kind.parse("1.5 m"), Ok(90_000.0));
        assert_eq!(kind.parse("250ms"), Ok(250.0));
        assert_eq!(kind.parse("120000"), Ok(120_000.0));
        let error = kind.parse("60 secs").unwrap_err();
        assert!(
            error.contains("not a duration") && error.contains("90s"),
            "{error}"
        );
    }

    // Regression: "abc" stayed in a number field while Run ran the previous value unseen.
    #[test]
    fn invalid_drafts_are_reasons_to_hold_run_until_fixed() {
        let drafts = Rc::new(InvalidDrafts::default());
        let sentence = InvalidDrafts::sentence("Workers", "abc ", "“abc” is not a number", "4");
        let drafts = drafts.reduce(DraftChange {
            path: "nodes[1].params.workers".into(),
            invalid: Some(sentence.clone()),
        });
        let design = archsim_model::parse_design(include_str!("../../examples/mm1.json")).unwrap();
        assert_eq!(
            drafts.blockers(&design),
            [crate::state::Blocker {
                sentence: format!("M/M/1 server: {sentence}"),
                details: None,
            }]
        );
        assert!(sentence.contains("“Workers” holds “abc”") && sentence.contains("still has 4"));
        let same = drafts.clone().reduce(DraftChange {
            path: "nodes[1].params.workers".into(),
            invalid: Some(sentence),
        });
        assert!(
            Rc::ptr_eq(&drafts, &same),
            "an unchanged draft changes nothing"
        );
        let drafts = drafts.reduce(DraftChange {
            path: "nodes[1].params.workers".into(),
            invalid: None,
        });
        assert!(drafts.blockers(&design).is_empty());
    }

    #[test]
    fn format_number_hides_float_noise() {
        assert_eq!(format_number(0.07 * 100.0), "7");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(60_000.0), "60000");
        assert_eq!(format_number(-2.25), "-2.25");
        assert_eq!(format_number(0.0), "0");
    }

    #[test]
    fn count_fields_refuse_fractions_negatives_and_overflow() {
        assert_eq!(NumberKind::U32.parse("4"), Ok(4.0));
        assert!(NumberKind::U32.parse("4.5").is_err());
        assert!(NumberKind::U32.parse("-1").is_err());
        assert!(NumberKind::U32.parse("5000000000").is_err());
    }

    #[test]
    fn percent_fields_store_fractions() {
        assert_eq!(NumberKind::Percent.parse("25"), Ok(0.25));
        assert_eq!(NumberKind::Percent.to_display(0.07), "7");
    }

    #[test]
    fn non_numbers_are_refused_with_a_reason() {
        assert_eq!(
            NumberKind::Real.parse("abc"),
            Err("“abc” is not a number".to_string())
        );
        assert!(NumberKind::Real.parse("").is_err());
        assert!(NumberKind::Real.parse("inf").is_err());
    }
}
