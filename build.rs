//! Rebuild when embedded files change. `include_str!` and rust-embed notice edits to
//! files they already embed, but not a file newly added to assets/ or migrations/.
fn main() {
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=migrations");
}
