//! Mounts Knock's app on the page; everything else lives in the library.

fn main() {
    console_error_panic_hook::set_once();
    // index.html's outline of the login page, shown while the app loaded: the app draws its own.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
