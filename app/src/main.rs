//! Mounts Knock's app on the page; everything else lives in the library.

fn main() {
    // The release wasm aborts at a panic without running any hook (`-Cpanic=immediate-abort`,
    // xtask/src/app_build.rs): setting one there would only add its code to the download. Built
    // with `KNOCK_PANIC_MESSAGES=1`, or for the tests, a panic prints its message and place.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    // index.html's outline of the login page, shown while the app loaded: the app draws its own.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
