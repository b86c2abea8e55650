//! The failover server state machine (being written).
