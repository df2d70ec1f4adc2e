//! `QueueList`: an SSZ `List[T, N]` whose front can be dropped without moving the rest.
//!
//! electra § process_pending_deposits ends with
//! `state.pending_deposits = state.pending_deposits[next_deposit_index:] + deposits_to_postpone`.
//! With a plain vector that is a move of the whole tail every epoch to drop at most
//! `MAX_PENDING_DEPOSITS_PER_EPOCH` (16) entries: mainnet-2026's 50k pending deposits are 9.6 MB,
//! 0.47-0.73 ms an epoch. Here the dropped entries only advance a head offset; the tail is moved
//! once the dead head is an eighth of the buffer (for a 50k queue, once every ~390 epochs).
//!
//! Everything a reader sees (SSZ encoding, `hash_tree_root`, equality, `Debug`, serde, the slice
//! it dereferences to) is the live part only, the same as `VariableList<T, N>` of those entries.

use serde::{Serialize, Serializer};
use ssz::{Decode, DecodeError, Encode};
use ssz_types::VariableList;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use tree_hash::{Hash256, PackedEncoding, TreeHash, TreeHashType};
use typenum::Unsigned;

/// An SSZ `List[T, N]` with a head offset: `items[head..]` is the list.
pub struct QueueList<T, N> {
    items: Vec<T>,
    head: usize,
    _limit: PhantomData<N>,
}

/// The list would exceed its limit `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

impl<T, N: Unsigned> QueueList<T, N> {
    /// The list of `items`, or `QueueFull` if they are more than `N`.
    pub fn new(items: Vec<T>) -> Result<Self, QueueFull> {
        if items.len() > N::to_usize() {
            return Err(QueueFull);
        }
        Ok(QueueList {
            items,
            head: 0,
            _limit: PhantomData,
        })
    }

    /// The live entries.
    pub fn as_slice(&self) -> &[T] {
        self.items.get(self.head..).unwrap_or_default()
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        let head = self.head;
        self.items.get_mut(head..).unwrap_or_default()
    }

    /// Append `value`, or `QueueFull` at the limit.
    pub fn push(&mut self, value: T) -> Result<(), QueueFull> {
        if self.len() >= N::to_usize() {
            return Err(QueueFull);
        }
        self.make_room(1);
        self.items.push(value);
        Ok(())
    }

    /// Append every entry of `values`, or `QueueFull` (and nothing appended) if they do not fit.
    pub fn extend(&mut self, values: Vec<T>) -> Result<(), QueueFull> {
        if self.len().saturating_add(values.len()) > N::to_usize() {
            return Err(QueueFull);
        }
        self.make_room(values.len());
        self.items.extend(values);
        Ok(())
    }

    /// `self = self[k:]` (all of it when `k` is past the end): the head moves, the tail stays.
    pub fn drop_front(&mut self, k: usize) {
        self.head = self.head.saturating_add(k).min(self.items.len());
        // Amortised: the tail moves once the dead head is an eighth of the buffer, so each
        // dropped entry pays at most ~8 entries of move, and the dead space stays below 1/7 of
        // the live list.
        if self.head.saturating_mul(8) >= self.items.len() {
            self.compact();
        }
    }

    /// Room for `n` more entries: first the dead head (moved out in place, instead of a larger
    /// buffer), then an eighth more than the live list. `Vec`'s doubling would take a 9.6 MB
    /// queue to a 19.2 MB buffer; in the epoch it also postpones deposits, so its first append
    /// after a decode or a clone would be that copy.
    fn make_room(&mut self, n: usize) {
        let need = self.items.len().saturating_add(n);
        if need <= self.items.capacity() {
            return;
        }
        if self.head > 0 {
            self.compact();
        }
        let live = self.items.len();
        if live.saturating_add(n) > self.items.capacity() {
            self.items.reserve_exact(n.max(live / 8));
        }
    }

    /// Move the live entries to the front of the buffer.
    fn compact(&mut self) {
        self.items.drain(..self.head);
        self.head = 0;
    }
}

impl<T, N: Unsigned> Default for QueueList<T, N> {
    fn default() -> Self {
        QueueList {
            items: Vec::new(),
            head: 0,
            _limit: PhantomData,
        }
    }
}

impl<T: Clone, N> Clone for QueueList<T, N> {
    /// Only the live entries, with an eighth spare so that the next epoch's appends do not
    /// reallocate (a reallocation would copy the whole queue, as the shift did).
    fn clone(&self) -> Self {
        let live = self.items.get(self.head..).unwrap_or_default();
        let mut items = Vec::with_capacity(live.len().saturating_add(live.len() / 8));
        items.extend_from_slice(live);
        QueueList {
            items,
            head: 0,
            _limit: PhantomData,
        }
    }
}

impl<T, N: Unsigned> Deref for QueueList<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, N: Unsigned> DerefMut for QueueList<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<'a, T, N: Unsigned> IntoIterator for &'a QueueList<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: PartialEq, N: Unsigned> PartialEq for QueueList<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq, N: Unsigned> Eq for QueueList<T, N> {}

impl<T: std::fmt::Debug, N: Unsigned> std::fmt::Debug for QueueList<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T: Serialize, N: Unsigned> Serialize for QueueList<T, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<T: Encode, N: Unsigned> Encode for QueueList<T, N> {
    fn is_ssz_fixed_len() -> bool {
        false
    }

    /// As ethereum_ssz's `Vec<T>` (its sequence helpers are not exported).
    fn ssz_bytes_len(&self) -> usize {
        let live = self.as_slice();
        if T::is_ssz_fixed_len() {
            T::ssz_fixed_len().saturating_mul(live.len())
        } else {
            live.iter()
                .map(|x| {
                    x.ssz_bytes_len()
                        .saturating_add(ssz::BYTES_PER_LENGTH_OFFSET)
                })
                .fold(0usize, usize::saturating_add)
        }
    }

    fn ssz_append(&self, buf: &mut Vec<u8>) {
        let live = self.as_slice();
        if T::is_ssz_fixed_len() {
            buf.reserve(T::ssz_fixed_len().saturating_mul(live.len()));
            for x in live {
                x.ssz_append(buf);
            }
        } else {
            let fixed = live.len().saturating_mul(ssz::BYTES_PER_LENGTH_OFFSET);
            let mut encoder = ssz::SszEncoder::container(buf, fixed);
            for x in live {
                encoder.append(x);
            }
            encoder.finalize();
        }
    }
}

impl<T: Decode + 'static, N: Unsigned> Decode for QueueList<T, N> {
    fn is_ssz_fixed_len() -> bool {
        false
    }

    /// `VariableList<T, N>`'s decoding (its length check included), kept as the live part.
    fn from_ssz_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let list = VariableList::<T, N>::from_ssz_bytes(bytes)?;
        Ok(QueueList {
            items: list.into(),
            head: 0,
            _limit: PhantomData,
        })
    }
}

impl<T: TreeHash, N: Unsigned> TreeHash for QueueList<T, N> {
    fn tree_hash_type() -> TreeHashType {
        TreeHashType::List
    }

    fn tree_hash_packed_encoding(&self) -> PackedEncoding {
        // A list is never packed into its parent; this is its root, as for any composite.
        PackedEncoding::from_slice(self.tree_hash_root().as_slice())
    }

    fn tree_hash_packing_factor() -> usize {
        1
    }

    /// ssz § hash_tree_root of a `List[T, N]`: `mix_in_length(merkleize(pack or roots, limit))`.
    fn tree_hash_root(&self) -> Hash256 {
        let live = self.as_slice();
        let (bytes, leaves): (Vec<u8>, usize) = match T::tree_hash_type() {
            TreeHashType::Basic => (
                live.iter()
                    .flat_map(|x| x.tree_hash_packed_encoding().to_vec())
                    .collect(),
                N::to_usize().div_ceil(T::tree_hash_packing_factor().max(1)),
            ),
            _ => (
                live.iter().flat_map(|x| x.tree_hash_root().0).collect(),
                N::to_usize(),
            ),
        };
        tree_hash::mix_in_length(&tree_hash::merkle_root(&bytes, leaves), live.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use typenum::{U1024, U8};

    type Q = QueueList<u64, U1024>;
    type L = VariableList<u64, U1024>;

    /// Same encoding, root and slice as `VariableList` of the live entries, through drops,
    /// pushes, compactions and clones.
    #[test]
    fn reads_as_the_variable_list_of_its_live_entries() {
        let mut q = Q::new((0..300).collect()).unwrap();
        let mut spec: Vec<u64> = (0..300).collect();
        for step in 0..200u64 {
            let k = (step % 7) as usize;
            q.drop_front(k);
            spec.drain(..k.min(spec.len()));
            q.push(1000 + step).unwrap();
            spec.push(1000 + step);
            let l = L::new(spec.clone()).unwrap();
            assert_eq!(q.as_slice(), &spec[..], "step {step}");
            assert_eq!(q.as_ssz_bytes(), l.as_ssz_bytes());
            assert_eq!(q.tree_hash_root(), l.tree_hash_root());
            let c = q.clone();
            assert_eq!(c, q);
            assert_eq!(c.tree_hash_root(), l.tree_hash_root());
        }
        assert_eq!(q.clone().as_slice(), &spec[..]);
        let back = Q::from_ssz_bytes(&q.as_ssz_bytes()).unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn containers_hash_as_variable_list() {
        use crate::types::PendingDeposit;
        let d = |i: u64| PendingDeposit {
            amount: i,
            slot: i * 3,
            ..PendingDeposit::default()
        };
        let mut q = QueueList::<PendingDeposit, U1024>::new((0..40).map(d).collect()).unwrap();
        q.drop_front(3);
        q.extend(vec![d(99), d(100)]).unwrap();
        let want: Vec<_> = (3..40).map(d).chain([d(99), d(100)]).collect();
        let l = VariableList::<PendingDeposit, U1024>::new(want).unwrap();
        assert_eq!(q.tree_hash_root(), l.tree_hash_root());
        assert_eq!(q.as_ssz_bytes(), l.as_ssz_bytes());
    }

    /// A full buffer takes room from its dead head first and grows by an eighth, not double.
    #[test]
    fn buffer_stays_near_the_live_length() {
        let mut q = Q::new((0..1000).collect()).unwrap();
        assert_eq!(q.items.capacity(), 1000);
        for step in 0..400u64 {
            q.drop_front(2);
            q.extend(vec![step, step + 1]).unwrap();
            assert!(q.items.capacity() <= 1000 + 1000 / 8, "step {step}");
        }
        assert_eq!(q.len(), 1000);
        // Past the live length it grows in eighths, whatever `Vec` would do.
        let mut q = QueueList::<u64, typenum::U65536>::new((0..8000).collect()).unwrap();
        q.push(1).unwrap();
        assert_eq!(q.items.capacity(), 9000);
    }

    #[test]
    fn limit_is_kept() {
        let mut q = QueueList::<u64, U8>::new((0..8).collect()).unwrap();
        assert_eq!(q.push(8), Err(QueueFull));
        assert_eq!(q.extend(vec![1]), Err(QueueFull));
        q.drop_front(2);
        q.extend(vec![8, 9]).unwrap();
        assert_eq!(q.push(10), Err(QueueFull));
        assert!(QueueList::<u64, U8>::new((0..9).collect()).is_err());
        // Decoding checks the limit as VariableList does.
        let too_long = VariableList::<u64, U1024>::new((0..9).collect()).unwrap();
        assert!(QueueList::<u64, U8>::from_ssz_bytes(&too_long.as_ssz_bytes()).is_err());
        // Dropping past the end empties it.
        q.drop_front(100);
        assert!(q.is_empty());
    }
}
