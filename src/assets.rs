//! Everything under `assets/` is compiled into the binary (also in debug builds, so
//! tests see exactly what ships).

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
pub struct Assets;
