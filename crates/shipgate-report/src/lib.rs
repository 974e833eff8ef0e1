//! shipgate-report (being written).
