/// Every app command, put under Tauri's permission system: the names are read from the one
/// declaration of the commands (`src/commands/catalog.rs`, lines `module::name(...) -> ...;`).
fn command_names() -> Vec<String> {
    let path = "src-tauri/src/commands/catalog.rs";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).expect("read the command catalog");
    let body = text.split("commands! {").nth(1).expect("the catalog's commands! block");
    body.lines()
        .filter_map(|l| {
            let l = l.trim();
            let (path, _) = l.split_once('(')?;
            let (_, name) = path.split_once("::")?;
            (name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

fn main() {
    // The manifest wants 'static names; a build script runs once, so leaking them is fine.
    let names: &'static [&'static str] = Vec::leak(command_names().into_iter().map(|n| &*String::leak(n)).collect());
    // tauri.conf.json lives at the repository root; capabilities live under src-tauri/.
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(names));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build step failed: {e:#}");
    }
}
