//! The page's TypeScript types are generated from the Rust command types. This test fails
//! when `ui/src/bindings.ts` is out of date; `UPDATE_BINDINGS=1` rewrites it.

#[test]
fn ui_bindings_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let want = rackdesk_app::commands::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).expect("write bindings");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/bindings.ts is out of date: run `UPDATE_BINDINGS=1 cargo test --test bindings` and commit it"
    );
}
