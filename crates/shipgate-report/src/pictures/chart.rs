//! One chart, drawn two ways: as SVG by `plotters` (for the HTML report, inline) and as Mermaid
//! `xychart-beta` text (for Markdown that GitHub and GitLab render inline).
//!
//! A [`Chart`] is categories along x and series of values over them. Every label that came from
//! evidence (a release version, a month, a metric name) is escaped by plotters' SVG backend in
//! SVG, and reduced to a safe set of characters in Mermaid, whose quoted strings have no escape.

use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// One bar per category.
    Bar,
    /// A line through the categories.
    Line,
    /// A level (a limit, or a rate measured over all categories): a thin line across the
    /// chart at its first value.
    Level,
}

/// One series of values, one per category (`None`: nothing to draw there).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Series {
    /// The legend's name.
    pub name: String,
    /// How it is drawn.
    pub mark: Mark,
    /// The values, in the chart's unit.
    pub values: Vec<Option<f64>>,
}

/// A chart of categories and series.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Chart {
    /// A stable id (`leakage`, `history`, `performance-checkout.p95`), for the HTML figure.
    pub id: String,
    /// The title.
    pub title: String,
    /// What the y axis measures, with its unit (`leakage (%)`).
    pub y_label: String,
    /// The categories along x, in order.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
}

/// Bar colours, then line colours: distinguishable, and readable on white.
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x2b, 0x6c, 0xb0),
    RGBColor(0xd9, 0x7a, 0x1c),
    RGBColor(0x3a, 0x9a, 0x4a),
    RGBColor(0x8e, 0x44, 0xad),
    RGBColor(0x55, 0x55, 0x55),
];
const LEVEL_COLORS: [RGBColor; 3] = [
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x7b, 0x24, 0x1c),
    RGBColor(0xe6, 0x7e, 0x22),
];

impl Chart {
    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
            || !self
                .series
                .iter()
                .filter(|s| s.mark != Mark::Level)
                .any(|s| s.values.iter().any(Option::is_some))
    }

    fn y_max(&self) -> f64 {
        let top = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0_f64, |m, v| if v.is_finite() { m.max(*v) } else { m });
        // Headroom for the legend, which sits in the upper right corner: a line per series.
        let headroom = 1.15 + 0.08 * self.series.len() as f64;
        if top <= 0.0 { 1.0 } else { top * headroom }
    }

    /// The chart as an SVG document (`<svg ...>...</svg>`), drawn by plotters.
    pub fn svg(&self, width: u32, height: u32) -> Result<String, String> {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let n = self.categories.len().max(1) as u32;
            let y_max = self.y_max();
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(56)
                .build_cartesian_2d((0u32..n).into_segmented(), 0f64..y_max)
                .map_err(|e| e.to_string())?;
            let categories = &self.categories;
            let label = |v: &SegmentValue<u32>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => categories
                    .get(*i as usize)
                    .map(|c| shorten(c, 16))
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(categories.len().clamp(1, 24))
                .x_label_formatter(&label)
                .y_desc(self.y_label.as_str())
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(|e| e.to_string())?;
            let bars: Vec<&Series> = self.series.iter().filter(|s| s.mark == Mark::Bar).collect();
            let slots = bars.len().max(1) as f64;
            // The plot's width per category, in pixels: bars of one category stand side by
            // side within the middle 80% of it.
            let category_px = (f64::from(width) - 56.0 - 24.0).max(1.0) / f64::from(n);
            for (b, series) in bars.iter().enumerate() {
                let color = PALETTE[b % PALETTE.len()];
                let left = pixels(category_px * (0.1 + 0.8 * b as f64 / slots));
                let right = pixels(category_px * (0.1 + 0.8 * (slots - b as f64 - 1.0) / slots));
                let rects: Vec<Rectangle<(SegmentValue<u32>, f64)>> = series
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        let (i, v) = (i as u32, (*v)?);
                        let mut bar = Rectangle::new(
                            [
                                (SegmentValue::Exact(i), 0.0),
                                (SegmentValue::Exact(i + 1), v),
                            ],
                            color.filled(),
                        );
                        bar.set_margin(0, 0, left, right);
                        Some(bar)
                    })
                    .collect();
                chart
                    .draw_series(rects)
                    .map_err(|e| e.to_string())?
                    .label(series.name.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                    });
            }
            let mut line_index = bars.len();
            let mut limit_index = 0;
            for series in self.series.iter().filter(|s| s.mark != Mark::Bar) {
                let (color, width) = if series.mark == Mark::Level {
                    limit_index += 1;
                    (LEVEL_COLORS[(limit_index - 1) % LEVEL_COLORS.len()], 1)
                } else {
                    line_index += 1;
                    (PALETTE[(line_index - 1) % PALETTE.len()], 2)
                };
                let style = color.stroke_width(width);
                let points: Vec<(SegmentValue<u32>, f64)> = if series.mark == Mark::Level {
                    // Across the whole chart, at the limit's value.
                    match series.values.iter().flatten().next() {
                        Some(v) => vec![(SegmentValue::Exact(0), *v), (SegmentValue::Last, *v)],
                        None => Vec::new(),
                    }
                } else {
                    series
                        .values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| v.map(|v| (SegmentValue::CenterOf(i as u32), v)))
                        .collect()
                };
                chart
                    .draw_series(LineSeries::new(points.clone(), style))
                    .map_err(|e| e.to_string())?
                    .label(series.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], style));
                if series.mark == Mark::Line {
                    chart
                        .draw_series(
                            points
                                .iter()
                                .map(|p| Circle::new(p.clone(), 3, color.filled())),
                        )
                        .map_err(|e| e.to_string())?;
                }
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    /// The chart as a Mermaid `xychart-beta` block (with its ```` ```mermaid ```` fence), and a
    /// line naming the series (xychart has no legend). Categories where no series has a value
    /// are left out: Mermaid has no gaps, and a 0 would read as a good value.
    pub fn mermaid(&self) -> String {
        let keep: Vec<usize> = (0..self.categories.len())
            .filter(|i| {
                self.series
                    .iter()
                    .filter(|s| s.mark != Mark::Level)
                    .any(|s| s.values.get(*i).copied().flatten().is_some())
            })
            .collect();
        let labels: Vec<String> = keep
            .iter()
            .map(|i| format!("\"{}\"", mermaid_text(&self.categories[*i], 20)))
            .collect();
        let y_max = self.y_max();
        let mut out = format!(
            "```mermaid\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n",
            mermaid_text(&self.title, 60),
            labels.join(", "),
            mermaid_text(&self.y_label, 40),
            number(y_max)
        );
        let mut legend = Vec::new();
        for series in &self.series {
            let values: Vec<String> = keep
                .iter()
                .map(|i| match series.mark {
                    Mark::Level => series.values.iter().flatten().next().copied(),
                    _ => series.values.get(*i).copied().flatten(),
                })
                .map(|v| number(v.unwrap_or(0.0)))
                .collect();
            let kind = match series.mark {
                Mark::Bar => "bar",
                Mark::Line | Mark::Level => "line",
            };
            out.push_str(&format!("    {kind} [{}]\n", values.join(", ")));
            legend.push(format!(
                "{} {}",
                match series.mark {
                    Mark::Bar => "bars:",
                    Mark::Line => "line:",
                    Mark::Level => "level line:",
                },
                mermaid_text(&series.name, 60)
            ));
        }
        out.push_str("```\n\n");
        out.push_str(&format!("*{}*\n", legend.join("; ")));
        out
    }
}

fn pixels(v: f64) -> u32 {
    v.round().clamp(0.0, 10_000.0) as u32
}

fn shorten(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Text for a Mermaid string: its quoted strings have no escape, and the fence ends the block,
/// so anything outside a plain set of characters becomes `_`.
pub(crate) fn mermaid_text(s: &str, max: usize) -> String {
    let plain: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | '.' | '-' | '_' | ':' | '/' | '+' | '%' | '(' | ')' | '=' | ','
                )
            {
                c
            } else {
                '_'
            }
        })
        .collect();
    shorten(plain.trim(), max)
}

/// A number as Mermaid and people read it: up to two decimals, no exponent.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(categories: &[&str]) -> Chart {
        Chart {
            id: "t".into(),
            title: "Leakage by month".into(),
            y_label: "leakage (%)".into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            series: vec![
                Series {
                    name: "leakage".into(),
                    mark: Mark::Bar,
                    values: vec![Some(12.5), None, Some(3.0)],
                },
                Series {
                    name: "5% limit".into(),
                    mark: Mark::Level,
                    values: vec![Some(5.0)],
                },
            ],
        }
    }

    #[test]
    fn mermaid_leaves_out_empty_categories_and_neutralises_labels() {
        let text = chart(&["2026-01", "2026-02", "\"]\n```<b>"]).mermaid();
        assert!(text.starts_with("```mermaid\nxychart-beta\n"), "{text}");
        assert!(
            text.contains("x-axis [\"2026-01\", \"_______b_\"]"),
            "{text}"
        );
        assert!(text.contains("bar [12.5, 3]"), "{text}");
        assert!(text.contains("line [5, 5]"), "{text}");
        assert_eq!(text.matches("```").count(), 2, "{text}");
    }

    #[test]
    fn svg_escapes_evidence_labels() {
        let svg = chart(&["<script>x</script>", "b", "c&d"])
            .svg(640, 320)
            .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        assert!(svg.contains("c&amp;d"), "{svg}");
        assert!(svg.contains("<rect"), "{svg}");
    }

    #[test]
    fn numbers_are_plain() {
        assert_eq!(number(5.0), "5");
        assert_eq!(number(12.345), "12.35");
        assert_eq!(number(f64::NAN), "0");
    }
}
