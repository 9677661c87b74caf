// `sqlx::migrate!` embeds the migration files at compile time, but cargo does not know they
// are inputs: without this a new or renamed migration would not rebuild the store.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
