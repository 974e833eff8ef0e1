//! shipgate-junit (being written).
