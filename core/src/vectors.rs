//! Where the official consensus-spec-tests are: one lookup for every test that reads them.

use std::path::{Path, PathBuf};

/// The vectors root for a repository at `repo`: `$MAXEB_SPEC_TESTS`, else
/// `../shared/consensus-spec-tests` beside the repository, else `.cache/consensus-spec-tests` in
/// it (where `scripts/fetch-vectors` puts the release archives). A missing root is an error
/// naming the places looked at, so no test can pass silently without its vectors.
pub fn spec_tests_root(repo: &Path) -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("MAXEB_SPEC_TESTS") {
        let p = PathBuf::from(p);
        return if p.join("tests").is_dir() {
            Ok(p)
        } else {
            Err(format!(
                "MAXEB_SPEC_TESTS={} has no tests/ folder",
                p.display()
            ))
        };
    }
    let candidates = [
        repo.join("../shared/consensus-spec-tests"),
        repo.join(".cache/consensus-spec-tests"),
    ];
    candidates.iter().find(|c| c.join("tests").is_dir()).cloned().ok_or_else(|| {
        format!(
            "consensus-spec-tests not found (looked at {}); set MAXEB_SPEC_TESTS or run scripts/fetch-vectors",
            candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
        )
    })
}
