//! k6 threshold expressions (`p(95)<500`, `rate<0.01`), evaluated against values shipgate
//! computed itself: `--out json` lists each metric's thresholds but not whether they held.
//!
//! The grammar is k6's (`metrics/thresholds_parser.go`): an aggregation method (`avg`, `min`,
//! `max`, `med`, `count`, `rate`, `value`, `p(N)`), an operator (`>`, `>=`, `<`, `<=`, `==`,
//! `===`, `!=`) and a number.

/// A parsed threshold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Threshold {
    /// The aggregation as a shipgate stat name (`p(95)` → `p95`).
    pub stat: String,
    op: Op,
    limit: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Threshold {
    /// Parses `agg op number`; `None` when it is not one.
    pub(crate) fn parse(source: &str) -> Option<Self> {
        let s = source.trim();
        let op_at = s.find(['<', '>', '=', '!'])?;
        let (agg, rest) = s.split_at(op_at);
        let agg = agg.trim();
        let (op, number) = [
            ("===", Op::Eq),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
        ]
        .into_iter()
        .find_map(|(text, op)| rest.strip_prefix(text).map(|n| (op, n)))?;
        let limit: f64 = number.trim().parse().ok()?;
        let stat = match agg {
            "avg" | "min" | "max" | "med" | "count" | "rate" | "value" => agg.to_owned(),
            _ => {
                let p = agg.strip_prefix("p(")?.strip_suffix(')')?.trim();
                let v: f64 = p.parse().ok()?;
                if !(0.0..=100.0).contains(&v) {
                    return None;
                }
                format!("p{p}")
            }
        };
        Some(Self { stat, op, limit })
    }

    /// Whether the threshold holds for the observed value.
    pub(crate) fn holds(&self, observed: f64) -> bool {
        match self.op {
            Op::Gt => observed > self.limit,
            Op::Ge => observed >= self.limit,
            Op::Lt => observed < self.limit,
            Op::Le => observed <= self.limit,
            Op::Eq => observed == self.limit,
            Op::Ne => observed != self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k6_expressions() {
        let t = Threshold::parse("p(95)<500").unwrap();
        assert_eq!(t.stat, "p95");
        assert!(t.holds(499.9) && !t.holds(500.0));
        let t = Threshold::parse(" rate <= 0.01 ");
        assert!(
            t.as_ref()
                .is_some_and(|t| t.stat == "rate" && t.holds(0.01) && !t.holds(0.011))
        );
        let t = Threshold::parse("p(99.9) >= 1");
        assert!(t.is_some_and(|t| t.stat == "p99.9" && t.holds(1.0)));
        assert!(Threshold::parse("count===3").is_some_and(|t| t.holds(3.0)));
        assert!(Threshold::parse("value!=0").is_some_and(|t| t.holds(1.0) && !t.holds(0.0)));
        assert!(Threshold::parse("p(95)").is_none());
        assert!(Threshold::parse("stddev<3").is_none());
        assert!(Threshold::parse("p(101)<3").is_none());
        assert!(Threshold::parse("avg<abc").is_none());
    }
}
