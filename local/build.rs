//! Embeds the web app (web/) in the `berth` binary: writes the list of its
//! files, each with its bytes (`include_bytes!`) and a content hash for its
//! ETag, to `$OUT_DIR/web_assets.rs`. Only files a browser loads are listed
//! (by extension); the app's tests and type-checking setup stay out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const SERVED: [&str; 7] = ["html", "css", "js", "svg", "png", "ico", "webmanifest"];
const NOT_SERVED: [&str; 2] = ["tests", "node_modules"];

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !NOT_SERVED.iter().any(|n| name == *n) {
                files(&path, found);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SERVED.contains(&e))
        {
            found.push(path);
        }
    }
}

/// FNV-1a: a stable fingerprint of a file's bytes (not security).
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = manifest.join("../web");
    // A directory here means any change beneath it, new files included.
    println!("cargo:rerun-if-changed={}", web.display());
    let mut found = Vec::new();
    files(&web, &mut found);
    found.sort();
    let mut out = String::from("pub const ASSETS: &[Asset] = &[\n");
    for path in &found {
        let bytes = std::fs::read(path).expect("reading a web file");
        let relative = path.strip_prefix(&web).expect("under web/");
        let route = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        writeln!(
            out,
            "    Asset {{ path: {route:?}, bytes: include_bytes!({:?}), etag: \"\\\"{:016x}\\\"\" }},",
            path.canonicalize().expect("a real path"),
            fingerprint(&bytes)
        )
        .expect("writing to a string");
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("web_assets.rs");
    std::fs::write(target, out).expect("writing web_assets.rs");
}
