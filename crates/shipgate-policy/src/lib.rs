//! shipgate-policy (being written).
