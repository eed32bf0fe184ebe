//! Browser plumbing around the pure codecs: download a file, read a chosen file, read and write
//! the location fragment. These call into the browser, so they only work in it (natively they
//! compile, and return an error instead of doing anything).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::autosave::js_error_text;
use super::{MAX_IMPORT_BYTES, encode_fragment, in_browser};
use archsim_model::Design;

/// Download what `url` holds (a `data:` URL, e.g. a PNG) as `file_name`.
pub fn download_url(file_name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error_text(&e))?
        .dyn_into()
        .map_err(|_| "could not create a link element")?;
    anchor.set_href(url);
    anchor.set_download(file_name);
    anchor.style().set_property("display", "none").ok();
    let body = document.body().ok_or("no document body")?;
    body.append_child(&anchor).map_err(|e| js_error_text(&e))?;
    anchor.click();
    anchor.remove();
    Ok(())
}

/// Offer `contents` as a file download named `file_name`.
pub fn download_text(file_name: &str, mime_type: &str, contents: &str) -> Result<(), String> {
    if !in_browser() {
        return Err("downloads need a browser".into());
    }
    // The Blob gets the text's UTF-8 bytes as they are (no round trip through a JS string).
    let url =
        gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(contents, Some(mime_type)));
    download_url(file_name, &url)?;
    // The click has started the download. The object URL is revoked when the last handle on it
    // is dropped: later rather than now, which keeps Safari from cancelling the download.
    gloo_timers::callback::Timeout::new(10_000, move || drop(url)).forget();
    Ok(())
}

/// Download the design as pretty JSON under a name taken from the design's name.
pub fn download_design(design: &Design) -> Result<(), String> {
    download_text(
        &super::export_file_name(design),
        "application/json",
        &super::export_json(design),
    )
}

/// The text of a file the person picked (file input or drop), refusing files too large to be
/// a design before reading them.
pub async fn read_file_text(file: web_sys::File) -> Result<String, String> {
    if !in_browser() {
        return Err("reading files needs a browser".into());
    }
    let size = file.size();
    if size > MAX_IMPORT_BYTES as f64 {
        return Err(format!(
            "\"{}\" is {:.1} MB; designs larger than {} MB are not accepted",
            file.name(),
            size / (1024.0 * 1024.0),
            MAX_IMPORT_BYTES / (1024 * 1024)
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| format!("could not read \"{}\": {}", file.name(), js_error_text(&e)))?;
    text.as_string()
        .ok_or_else(|| format!("\"{}\" is not a text file", file.name()))
}

/// The text of the file at `url` (relative to the page), from the server the app came from.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("fetching files needs a browser")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not fetch {url}: {}", js_error_text(&e)))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("fetching {url} gave no response"))?;
    if !response.ok() {
        return Err(format!(
            "could not fetch {url}: the server answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let text = response
        .text()
        .map_err(|e| format!("could not read {url}: {}", js_error_text(&e)))?;
    JsFuture::from(text)
        .await
        .map_err(|e| format!("could not read {url}: {}", js_error_text(&e)))?
        .as_string()
        .ok_or_else(|| format!("{url} is not text"))
}

/// The current location's fragment, `#…` included; None when there is none.
pub fn location_fragment() -> Option<String> {
    if !in_browser() {
        return None;
    }
    let hash = web_sys::window()?.location().hash().ok()?;
    (!hash.is_empty()).then_some(hash)
}

/// The address of this page with the design in its fragment: the link to share.
pub fn share_url(design: &Design) -> Result<String, String> {
    if !in_browser() {
        return Err("share links need a browser".into());
    }
    let location = web_sys::window().ok_or("no browser window")?.location();
    let href = location.href().map_err(|e| js_error_text(&e))?;
    let base = href.split('#').next().unwrap_or(&href);
    Ok(format!("{base}{}", encode_fragment(design)))
}

/// Drop the fragment from the address bar without reloading or adding a history entry (after a
/// shared design has been loaded, so a reload does not load it over later edits).
pub fn clear_location_fragment() -> Result<(), String> {
    if !in_browser() {
        return Err("no browser".into());
    }
    let window = web_sys::window().ok_or("no browser window")?;
    let location = window.location();
    let path = location.pathname().map_err(|e| js_error_text(&e))?;
    let search = location.search().map_err(|e| js_error_text(&e))?;
    window
        .history()
        .map_err(|e| js_error_text(&e))?
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")))
        .map_err(|e| js_error_text(&e))
}
