//! Fuzz target: arbitrary bytes through the failover wire codec. A message that decodes must
//! encode and decode again to the same message (less a DDNS option, which is never sent); the
//! same bytes fed to the stream framer, in chunks whose sizes come from the input, give frames
//! that each decode without panic. Any panic or failed assertion is a bug.
#![no_main]

use dhcpfo::serve::failover::wire::{Framer, Message, decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = decode(data) {
        let again = encode(&message).expect("a decoded message encodes");
        // A received DDNS option is kept but never sent.
        let sent = Message {
            ddns: None,
            ..message
        };
        assert_eq!(decode(&again), Ok(sent));
    }
    // The first byte picks the chunk size, so one input exercises many ways of splitting.
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut framer = Framer::new();
    for piece in data.chunks(chunk) {
        if framer.push(piece).is_err() {
            break;
        }
        while let Some(frame) = framer.pop() {
            assert!(frame.len() >= 12 && frame.len() <= 2048);
            let _ = decode(&frame);
        }
        assert!(framer.buffered() < 2048, "only an unfinished message waits");
    }
});
