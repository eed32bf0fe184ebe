//! What the UI knows about each node kind: its names, blurb and default label come from the
//! model's catalog (`NodeKind::CATALOG`, the one place kinds are named); the accent colour (in
//! CSS, by `kind-<name>` class) and the icon are presentation, and live here.

pub use archsim_model::KindInfo;
use archsim_model::NodeKind;
use yew::prelude::*;

/// Every kind in palette order (the catalog's order).
pub const KINDS: [KindInfo; 8] = NodeKind::CATALOG;

/// The catalog entry for a JSON kind name; unknown names get a neutral entry rather than a
/// panic, because the name may come from an imported file.
pub fn kind_info(name: &str) -> KindInfo {
    NodeKind::info_named(name).copied().unwrap_or(KindInfo {
        name: "unknown",
        title: "Unknown",
        doc: "",
        blurb: "",
        default_label: "Node",
        has_workers: false,
    })
}

/// The strokes of a kind's icon on a 24×24 grid, to be placed inside an `<svg>` or a `<g>`.
/// They draw with `currentColor`, so CSS picks the colour.
pub fn kind_icon_shapes(name: &str) -> Html {
    match name {
        "client" => html! {
            <>
                <rect x="3" y="4" width="18" height="12" rx="2" />
                <path d="M8 20h8M12 16v4" />
            </>
        },
        "api_gateway" => html! {
            <>
                <path d="M4 20V9l8-5 8 5v11" />
                <path d="M9 20v-6h6v6" />
            </>
        },
        "load_balancer" => html! {
            <>
                <circle cx="5" cy="12" r="2" />
                <path d="M7 12h4M11 12l7-6M11 12h7M11 12l7 6" />
                <circle cx="19" cy="6" r="1.5" />
                <circle cx="19" cy="12" r="1.5" />
                <circle cx="19" cy="18" r="1.5" />
            </>
        },
        "service" => html! {
            <>
                <rect x="4" y="4" width="16" height="7" rx="1.5" />
                <rect x="4" y="13" width="16" height="7" rx="1.5" />
                <path d="M8 7.5h.01M8 16.5h.01" />
            </>
        },
        "cache" => html! {
            <path d="M13 3L5 14h6l-1 7 8-11h-6l1-7z" />
        },
        "queue" => html! {
            <>
                <rect x="3" y="8" width="4" height="8" rx="1" />
                <rect x="10" y="8" width="4" height="8" rx="1" />
                <rect x="17" y="8" width="4" height="8" rx="1" />
            </>
        },
        "database" => html! {
            <>
                <ellipse cx="12" cy="6" rx="7" ry="3" />
                <path d="M5 6v12c0 1.7 3.1 3 7 3s7-1.3 7-3V6" />
                <path d="M5 12c0 1.7 3.1 3 7 3s7-1.3 7-3" />
            </>
        },
        "rate_limiter" => html! {
            <>
                <path d="M4 16a8 8 0 0 1 16 0" />
                <path d="M12 16l4-5" />
                <circle cx="12" cy="16" r="1.2" />
            </>
        },
        _ => html! { <circle cx="12" cy="12" r="8" /> },
    }
}

#[derive(Properties, PartialEq)]
pub struct KindIconProps {
    pub kind: AttrValue,
    #[prop_or(20)]
    pub size: u32,
}

/// A kind's icon as a standalone inline SVG (for HTML contexts such as the palette).
#[function_component(KindIcon)]
pub fn kind_icon(props: &KindIconProps) -> Html {
    let size = props.size.to_string();
    html! {
        <svg class="kind-icon" width={size.clone()} height={size} viewBox="0 0 24 24" fill="none"
             stroke="currentColor" stroke-width="1.8" stroke-linecap="round"
             stroke-linejoin="round" aria-hidden="true">
            { kind_icon_shapes(&props.kind) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::NodeKind;

    #[test]
    fn palette_covers_every_model_kind_in_order() {
        let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        assert_eq!(names, NodeKind::NAMES.to_vec());
    }

    #[test]
    fn unknown_kind_name_gets_neutral_info_instead_of_panicking() {
        assert_eq!(kind_info("teleporter").title, "Unknown");
        assert_eq!(kind_info("cache").title, "Cache");
    }
}
