//! electra § process_deposit_request `[New in Electra:EIP6110]`

use crate::error::{Error, Result};
use crate::preset::consts::UNSET_DEPOSIT_REQUESTS_START_INDEX;
use crate::preset::Preset;
use crate::types::{BeaconState, DepositRequest, PendingDeposit};

/// electra § process_deposit_request
///
/// No signature check here: the deposit's proof of possession is verified when the pending
/// deposit is applied (electra § apply_pending_deposit).
pub fn process_deposit_request<P: Preset>(
    state: &mut BeaconState<P>,
    deposit_request: &DepositRequest,
) -> Result<()> {
    // > Set deposit request start index
    if state.deposit_requests_start_index == UNSET_DEPOSIT_REQUESTS_START_INDEX {
        state.deposit_requests_start_index = deposit_request.index;
    }
    let pending = PendingDeposit {
        pubkey: deposit_request.pubkey,
        withdrawal_credentials: deposit_request.withdrawal_credentials,
        amount: deposit_request.amount,
        signature: deposit_request.signature,
        slot: state.slot,
    };
    state
        .pending_deposits
        .push(pending)
        .map_err(|_| Error::ListFull("pending_deposits"))
}
