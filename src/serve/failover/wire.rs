//! The failover message codec (being written).
