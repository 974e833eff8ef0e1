//! shipgate-evaluator (being written).
