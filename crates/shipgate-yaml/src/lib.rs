//! shipgate-yaml (being written).
