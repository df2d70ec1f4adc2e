//! What every report and `--json` object records about the run: the commit and toolchain the
//! binary was built with (`build.rs`), the machine, the date, and the process's peak RSS.

use serde_json::{json, Value};

/// The commit the binary was built from (`-dirty` when the tree had uncommitted changes).
pub const COMMIT: &str = env!("MAXEB_BUILD_COMMIT");
/// `rustc --version` of the build.
pub const TOOLCHAIN: &str = env!("MAXEB_BUILD_TOOLCHAIN");
/// The cargo profile (`release`, `profiling`, ...).
pub const PROFILE: &str = env!("MAXEB_BUILD_PROFILE");

/// The CPU model as `/proc/cpuinfo` names it.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// Logical CPUs available to this process.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Total memory in bytes (`/proc/meminfo`), if known.
pub fn mem_total_bytes() -> Option<u64> {
    kib_line("/proc/meminfo", "MemTotal:")
}

/// The process's peak resident set so far (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    kib_line("/proc/self/status", "VmHWM:")
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), if known.
pub fn load_average() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = s.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

fn kib_line(file: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(file).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The run's date and time, UTC, as `YYYY-MM-DDTHH:MM:SSZ` (from the system clock).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
// Bounded: `days` comes from a u64 of seconds / 86400 (< 2^48), far from any overflow.
#[allow(clippy::arithmetic_side_effects)]
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// The `commit` / `machine` / `toolchain` / `date` fields of a JSON report.
pub fn json() -> Value {
    json!({
        "commit": COMMIT,
        "toolchain": TOOLCHAIN,
        "profile": PROFILE,
        "date": utc_now(),
        // The SHA-256 kernel the state roots used (timed choice, or MAXEB_SHA256).
        "sha256_kernel": format!("{:?}", maxeb_core::fast::root::hash::kernel()).to_lowercase(),
        "machine": {
            "cpu": cpu_model(),
            "cores": cores(),
            "mem_total_bytes": mem_total_bytes(),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_423), (2025, 12, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
