//! Load balancing: the RFC 3074 hash and ISC's hash bucket assignment (digest §7).

use super::HBA_LEN;

/// RFC 3074 §6's mixing table (Pearson's hash), the same in ISC (`loadb_mx_tbl`) and Kea.
const MIX: [u8; 256] = [
    251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232, //
    31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223, //
    59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65, //
    180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16, //
    40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67, //
    207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5, //
    20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245, //
    230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105, //
    39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84, //
    82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239, //
    195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253, //
    137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238, //
    56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50, //
    33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213, //
    96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4, //
    216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151, //
];

/// The RFC 3074 bucket (0..=255) of a client: start with the key's length mod 256, then mix
/// in the bytes from the last to the first (ISC `loadb_p_hash`, digest §7.3).
pub fn load_balance_hash(key: &[u8]) -> u8 {
    key.iter()
        .rev()
        .fold(key.len() as u8, |hash, &byte| MIX[usize::from(hash ^ byte)])
}

/// What ISC hashes (digest §7.4): the whole payload of DHCP option 61 (type byte included)
/// when the client sent one, else the first `hlen` bytes of `chaddr` (without htype).
pub fn load_balance_key<'a>(client_id: Option<&'a [u8]>, chaddr: &'a [u8], hlen: u8) -> &'a [u8] {
    client_id.unwrap_or_else(|| chaddr.get(..usize::from(hlen)).unwrap_or(chaddr))
}

/// The HBA of `split S`: bits 0..S set, where bit b is bit `b % 8` (least significant first)
/// of byte `b / 8` (ISC's parser, digest §7.2). `None` above 256.
///
/// ISC's polarity is the reverse of draft-12's: a set bit is a bucket the **primary** serves,
/// and the secondary serves the clear ones (digest §7.1).
pub fn hba_from_split(split: u16) -> Option<[u8; HBA_LEN]> {
    if split > 256 {
        return None;
    }
    let mut hba = [0u8; HBA_LEN];
    for bucket in 0..usize::from(split) {
        hba[bucket / 8] |= 1 << (bucket % 8);
    }
    Some(hba)
}

/// Whether the primary serves `bucket` under `hba` (ISC `load_balance_mine`: the primary
/// answers when the bit is set, the secondary when it is clear).
pub fn primary_serves(hba: &[u8; HBA_LEN], bucket: u8) -> bool {
    let byte = hba[usize::from(bucket >> 3)];
    byte & (1 << (bucket & 7)) != 0
}
