//! Where a command's pre-state comes from: a state file (`--pre`, preset given or read from the
//! file) or a scenario built in memory (`--scenario`, default the embedded `tiny`).

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use maxeb_core::io::read_state;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use maxeb_fixtures::{generate_state, keys, GenOptions, PresetName, Scenario, ScenarioSource};
use std::path::{Path, PathBuf};

/// The consensus preset (with its paired chain config) the state is encoded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    Mainnet,
    Minimal,
}

/// `--pre FILE [--preset P]` or `--scenario NAME`; neither means the embedded `tiny` scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    /// Preset of the pre-state. With --pre it is read from the file's layout when omitted (the
    /// fixed part's length differs between presets); a scenario names its own.
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// Pre-state file: Electra BeaconState, `.ssz` or `.ssz_snappy`.
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    pub pre: Option<PathBuf>,
    /// Build this scenario's state in memory instead (a built-in name, see fixtures/scenarios/, or
    /// a YAML path); default `tiny`, embedded in the binary.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
}

/// Where the pre-state comes from.
#[derive(Debug)]
pub enum PreSource {
    File(PathBuf),
    /// A scenario, parsed once (its preset picks the code path), with its label for messages.
    Scenario {
        label: String,
        scenario: Box<Scenario>,
    },
}

impl PreSource {
    /// The file or scenario, for messages and reports.
    pub fn name(&self) -> String {
        match self {
            PreSource::File(path) => path.display().to_string(),
            PreSource::Scenario { label, .. } => label.clone(),
        }
    }

    /// The scenario's name and seed, when the state is built from one.
    pub fn scenario(&self) -> Option<&Scenario> {
        match self {
            PreSource::File(_) => None,
            PreSource::Scenario { scenario, .. } => Some(scenario),
        }
    }
}

impl StateArgs {
    /// The pre-state's source and preset.
    pub fn resolve(&self) -> Result<(PreSource, PresetArg)> {
        let source = match (&self.pre, &self.scenario) {
            (Some(p), _) => {
                let preset = match self.preset {
                    Some(preset) => preset,
                    None => infer_preset(p)?,
                };
                return Ok((PreSource::File(p.clone()), preset));
            }
            (None, Some(name)) => ScenarioSource::parse(name),
            (None, None) => ScenarioSource::Builtin("tiny".into()),
        };
        let scenario = source.load()?;
        let named = match scenario.preset {
            PresetName::Mainnet => PresetArg::Mainnet,
            PresetName::Minimal => PresetArg::Minimal,
        };
        if let Some(p) = self.preset.filter(|p| *p != named) {
            bail!(
                "{}: scenario is for the {named:?} preset, not {p:?}",
                source.label()
            );
        }
        Ok((
            PreSource::Scenario {
                label: source.label(),
                scenario: Box::new(scenario),
            },
            named,
        ))
    }
}

/// Read (or build) the pre-state.
pub fn load<P: Preset>(source: &PreSource) -> Result<BeaconState<P>> {
    match source {
        PreSource::File(path) => {
            let state = read_state::<P>(path)?;
            check_fork::<P>(path, &state)?;
            Ok(state)
        }
        PreSource::Scenario { label, scenario } => {
            // A mainnet-sized scenario derives ~2M keys once, then reads them from the cache.
            let opts = GenOptions {
                key_cache: Some(keys::default_cache_dir()),
            };
            let (state, _) = generate_state::<P>(scenario, &opts)
                .with_context(|| format!("{label}: generating the state"))?;
            Ok(state)
        }
    }
}

/// The preset a state file's layout says, or an error: "truncated or not a BeaconState" when the
/// file is shorter than any preset's fixed part (from core), else one asking for `--preset`.
pub fn infer_preset(path: &Path) -> Result<PresetArg> {
    match maxeb_core::io::state_file_preset(path)? {
        Some(name) if name == Mainnet::NAME => Ok(PresetArg::Mainnet),
        Some(name) if name == Minimal::NAME => Ok(PresetArg::Minimal),
        _ => bail!(
            "{}: cannot tell the preset from the file (its layout fits neither mainnet nor \
             minimal); pass --preset",
            path.display()
        ),
    }
}

/// A state of another fork can decode as Electra only by accident; its fork version says so.
fn check_fork<P: Preset>(path: &Path, state: &BeaconState<P>) -> Result<()> {
    let have = state.fork.current_version;
    let want = P::ELECTRA_FORK_VERSION;
    if have != want {
        bail!(
            "{}: fork.current_version is 0x{}, not Electra's 0x{} ({} preset)",
            path.display(),
            hex::encode(have),
            hex::encode(want),
            P::NAME
        );
    }
    Ok(())
}

/// Validators active at the state's current epoch (`phase0 § is_active_validator`), counted
/// without building the index list: the figure every report and record states beside the
/// registry length.
pub fn active_count<P: Preset>(state: &BeaconState<P>) -> u64 {
    let epoch = maxeb_core::helpers::accessors::get_current_epoch(state);
    state
        .validators
        .iter()
        .filter(|v| maxeb_core::helpers::predicates::is_active_validator(v, epoch))
        .count() as u64
}
