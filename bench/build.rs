//! Build-time facts a report must record: the commit the binary was built from and the compiler.
//! Read at build time (not at run time from the source path), so an installed binary reports the
//! commit it was built from.

use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The cargo profile the binary is built with. `PROFILE` gives only the base (`release` for a
/// `profiling` profile that inherits from it); the profile's own name is the target folder
/// above `build/` in OUT_DIR (`<target>[/<triple>]/<profile>/build/<pkg>-<hash>/out`), where
/// `dev` is spelled `debug`.
fn profile_name() -> String {
    let from_out_dir = || {
        let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR")?);
        let build = out.ancestors().nth(2)?;
        if build.file_name()? != "build" {
            return None;
        }
        build.parent()?.file_name()?.to_str().map(String::from)
    };
    from_out_dir().unwrap_or_else(|| std::env::var("PROFILE").unwrap_or_default())
}

/// What the binary is built from, relative to bench/: a change under any of them reruns this
/// script (cargo watches the paths), and `-dirty` means one of them differs from HEAD.
const SOURCES: [&str; 10] = [
    "../Cargo.toml",
    "../Cargo.lock",
    "../core/Cargo.toml",
    "../core/src",
    "../fixtures/Cargo.toml",
    "../fixtures/src",
    "../fixtures/scenarios",
    "Cargo.toml",
    "src",
    "build.rs",
];

fn main() {
    let commit = run("git", &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // Only the sources decide `-dirty`, so the flag is exactly as fresh as the watched paths
    // below. `--no-optional-locks`: status must not rewrite the index (a build is no git user).
    let mut status = vec![
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
    ];
    status.extend(SOURCES);
    let dirty = run("git", &status).is_some();
    let commit = if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    };
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let toolchain = run(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MAXEB_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=MAXEB_BUILD_TOOLCHAIN={toolchain}");
    let profile = profile_name();
    println!("cargo:rustc-env=MAXEB_BUILD_PROFILE={profile}");
    // Rebuild when HEAD moves (a commit, a checkout) so the recorded commit stays true. Asked of
    // git, not assumed at ../.git: in a worktree `.git` is a file and HEAD lives elsewhere. HEAD
    // names a branch whose ref file (or packed-refs) is what a commit moves. Not `.git/index`:
    // the first `git status` on a fresh clone rewrites it, which rebuilt the binary for nothing;
    // an edit the index would record is already seen through the source paths.
    let branch = run("git", &["symbolic-ref", "-q", "HEAD"]);
    for what in ["HEAD", "packed-refs"]
        .into_iter()
        .map(String::from)
        .chain(branch)
    {
        let what = what.as_str();
        let p = run(
            "git",
            &["rev-parse", "--path-format=absolute", "--git-path", what],
        )
        .unwrap_or_else(|| format!("../.git/{what}"));
        if std::path::Path::new(&p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
    }
}
