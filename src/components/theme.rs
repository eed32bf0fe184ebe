//! The colour theme: light, dark, or the system's, chosen in the header and remembered in local
//! storage. The choice is `data-theme` on `<html>` (absent for "system"); the style sheet keys
//! its dark colours off it, and the charts, which paint with the theme's colours, hear of a
//! change through the [`THEME_EVENT`] window event.

/// The window event sent after the theme changed (the charts repaint in the new colours).
pub const THEME_EVENT: &str = "archsim-theme";
/// Where the choice is remembered.
const STORAGE_KEY: &str = "archsim.theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// Follow the operating system's light or dark preference.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    /// The choices in the order the switch offers them.
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    /// In words, for the switch.
    pub fn words(self) -> &'static str {
        match self {
            ThemeChoice::System => "System",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    pub fn from_name(name: &str) -> Option<ThemeChoice> {
        ThemeChoice::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The remembered choice (System when none, or when storage cannot be read).
pub fn load() -> ThemeChoice {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|name| ThemeChoice::from_name(&name))
        .unwrap_or_default()
}

/// Shows the page in `choice` and remembers it (a storage failure only forgets it).
pub fn choose(choice: ThemeChoice) {
    apply(choice);
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, choice.name());
    }
}

/// Whether the page is drawn dark now: the header's choice (`data-theme` on `<html>`) when
/// there is one, else the system's preference. For painters that cannot use the style sheet's
/// colours (canvas layers).
pub fn is_dark() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let chosen = window
        .document()
        .and_then(|d| d.document_element())
        .and_then(|root| root.get_attribute("data-theme"));
    match chosen.as_deref().and_then(ThemeChoice::from_name) {
        Some(ThemeChoice::Dark) => true,
        Some(ThemeChoice::Light) => false,
        _ => window
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

/// Calls `on_change` whenever the page's colours may have changed: the header's switch
/// ([`THEME_EVENT`]), or the system's light/dark preference (which decides while the choice is
/// System). Listening stops when the returned listeners are dropped (a component's effect
/// keeps them until it unmounts).
pub fn listen_for_changes(on_change: impl Fn() + 'static) -> Vec<gloo_events::EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let on_change = std::rc::Rc::new(on_change);
    let call = on_change.clone();
    let mut listeners = vec![gloo_events::EventListener::new(
        &window,
        THEME_EVENT,
        move |_| call(),
    )];
    if let Some(scheme) = window
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
    {
        listeners.push(gloo_events::EventListener::new(
            &scheme,
            "change",
            move |_| on_change(),
        ));
    }
    listeners
}

/// Sets `data-theme` on `<html>` and tells the charts.
pub fn apply(choice: ThemeChoice) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = match choice {
            ThemeChoice::System => root.remove_attribute("data-theme"),
            other => root.set_attribute("data-theme", other.name()),
        };
    }
    if let Ok(event) = web_sys::Event::new(THEME_EVENT) {
        let _ = window.dispatch_event(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_choice_reads_back_as_itself_and_anything_else_as_nothing() {
        for choice in ThemeChoice::ALL {
            assert_eq!(ThemeChoice::from_name(choice.name()), Some(choice));
        }
        assert_eq!(ThemeChoice::default(), ThemeChoice::System);
        assert_eq!(ThemeChoice::from_name("sepia"), None);
    }
}
