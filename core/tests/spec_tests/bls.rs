//! `tests/general/{phase0,altair}/bls/<handler>/bls/<case>/data.yaml` (bls12-381-tests v0.1.2 and
//! the altair extensions): each handler's input against `crypto::bls`, output compared exactly.

use crate::harness::{Case, Harness, Outcome};
use maxeb_core::crypto::bls;
use maxeb_core::types::{BlsPubkey, BlsSignature};
use serde_yaml::Value;

fn bytes(v: &Value) -> Result<Vec<u8>, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("expected a hex string, got {v:?}"))?;
    hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("{s}: {e}"))
}

/// A pubkey of the wrong length can never validate: `None` (the test then expects failure).
fn pubkey(v: &Value) -> Result<Option<BlsPubkey>, String> {
    Ok(<[u8; 48]>::try_from(bytes(v)?).ok().map(BlsPubkey::from))
}

fn signature(v: &Value) -> Result<Option<BlsSignature>, String> {
    Ok(<[u8; 96]>::try_from(bytes(v)?).ok().map(BlsSignature::from))
}

fn pubkeys(v: &Value) -> Result<Option<Vec<BlsPubkey>>, String> {
    let seq = v.as_sequence().ok_or("expected a list of pubkeys")?;
    seq.iter()
        .map(pubkey)
        .collect::<Result<Option<Vec<_>>, _>>()
}

fn hex_out(b: &[u8]) -> Value {
    Value::String(format!("0x{}", hex::encode(b)))
}

/// Run one handler's case; returns the computed output to compare with `data.yaml`'s `output`.
fn compute(handler: &str, input: &Value) -> Result<Value, String> {
    let get = |k: &str| input.get(k).ok_or_else(|| format!("input has no `{k}`"));
    Ok(match handler {
        "sign" => {
            let sk = bytes(get("privkey")?)?;
            let msg = bytes(get("message")?)?;
            match bls::Keypair::from_secret_bytes(&sk) {
                Ok(kp) => hex_out(kp.sign(&msg).as_bytes()),
                Err(_) => Value::Null,
            }
        }
        "verify" => {
            let (pk, sig) = (pubkey(get("pubkey")?)?, signature(get("signature")?)?);
            let msg = bytes(get("message")?)?;
            Value::Bool(matches!((pk, sig), (Some(pk), Some(sig)) if bls::verify(&pk, &msg, &sig)))
        }
        "aggregate" => {
            let seq = input.as_sequence().ok_or("aggregate input is not a list")?;
            let sigs: Option<Vec<BlsSignature>> =
                seq.iter().map(signature).collect::<Result<_, _>>()?;
            match sigs.map(|s| bls::aggregate(&s)) {
                Some(Ok(sig)) => hex_out(sig.as_bytes()),
                _ => Value::Null,
            }
        }
        "fast_aggregate_verify" | "eth_fast_aggregate_verify" => {
            let (pks, sig) = (pubkeys(get("pubkeys")?)?, signature(get("signature")?)?);
            let msg = bytes(get("message")?)?;
            let f = if handler == "fast_aggregate_verify" {
                bls::fast_aggregate_verify
            } else {
                bls::eth_fast_aggregate_verify
            };
            Value::Bool(matches!((pks, sig), (Some(pks), Some(sig)) if f(&pks, &msg, &sig)))
        }
        "aggregate_verify" => {
            let (pks, sig) = (pubkeys(get("pubkeys")?)?, signature(get("signature")?)?);
            let msgs = get("messages")?
                .as_sequence()
                .ok_or("messages is not a list")?;
            let msgs: Vec<Vec<u8>> = msgs.iter().map(bytes).collect::<Result<_, _>>()?;
            let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
            Value::Bool(
                matches!((pks, sig), (Some(pks), Some(sig)) if bls::aggregate_verify(&pks, &refs, &sig)),
            )
        }
        "batch_verify" => {
            let pks = pubkeys(get("pubkeys")?)?;
            let msgs = get("messages")?
                .as_sequence()
                .ok_or("messages is not a list")?;
            let msgs: Vec<Vec<u8>> = msgs.iter().map(bytes).collect::<Result<_, _>>()?;
            let sigs = get("signatures")?
                .as_sequence()
                .ok_or("signatures is not a list")?;
            let sigs: Option<Vec<BlsSignature>> =
                sigs.iter().map(signature).collect::<Result<_, _>>()?;
            let ok = match (pks, sigs) {
                (Some(pks), Some(sigs)) if pks.len() == msgs.len() && sigs.len() == msgs.len() => {
                    let sets: Vec<(BlsPubkey, &[u8], BlsSignature)> = pks
                        .into_iter()
                        .zip(msgs.iter())
                        .zip(sigs)
                        .map(|((pk, m), s)| (pk, m.as_slice(), s))
                        .collect();
                    bls::batch_verify(&sets, [7u8; 32])
                }
                _ => false,
            };
            Value::Bool(ok)
        }
        "eth_aggregate_pubkeys" => {
            let pks = pubkeys(input)?;
            match pks.map(|p| bls::eth_aggregate_pubkeys(&p)) {
                Some(Ok(pk)) => hex_out(pk.as_bytes()),
                _ => Value::Null,
            }
        }
        other => return Err(format!("no runner for BLS handler {other}")),
    })
}

fn run_case(handler: &str, case: &Case) -> Outcome {
    let data: Value = match case.read_yaml("data.yaml") {
        Ok(d) => d,
        Err(e) => return Outcome::Fail(e),
    };
    let (Some(input), Some(output)) = (data.get("input"), data.get("output")) else {
        return Outcome::Fail("data.yaml lacks input or output".into());
    };
    match compute(handler, input) {
        Ok(got) => {
            let norm = |v: &Value| match v {
                Value::String(s) => Value::String(s.to_lowercase()),
                other => other.clone(),
            };
            if norm(&got) == norm(output) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("got {got:?}, want {output:?}"))
            }
        }
        Err(e) => Outcome::Fail(e),
    }
}

pub fn run(h: &mut Harness) {
    for fork in ["phase0", "altair"] {
        let dir = h.root.join(format!("tests/general/{fork}/bls"));
        for handler_dir in Harness::subdirs(&dir) {
            let handler = handler_dir
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = format!("tests/general/{fork}/bls/{handler}");
            h.run_handler(&rel, &format!("bls/{handler} general"), &[], |case| {
                run_case(&handler, case)
            });
        }
    }
}
