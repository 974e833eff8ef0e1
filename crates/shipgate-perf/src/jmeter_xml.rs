//! Apache JMeter JTL in XML (`jmeter.save.saveservice.output_format=xml`), read as it streams.
//!
//! The layout is JMeter's `SaveService` / `ResultCollector` XML: a `<testResults version="1.2">`
//! root holding one `<httpSample>` or `<sample>` element per sample, each with its figures as
//! attributes (`t` elapsed milliseconds, `ts` epoch milliseconds, `s` success, `lb` label, `rc`,
//! `rm`, `tn`, ...; `jmeter/docs/usermanual/listeners.html`, "Sample Attributes"). A sample's
//! sub-results (redirects, embedded resources, a transaction's children) are elements inside it
//! and are not samples of their own, as in JMeter's dashboard; their failure fails their parent.
//! Every statistic is computed from the `t` of the top-level samples exactly as for a JTL in CSV
//! (`crate::jmeter`): the successful ones (`s="true"`) are the latency, the failed ones count in
//! the error rate. JMeter writes `</testResults>` when the test ends, so a file that stops before
//! it is a run cut short, and is refused.
//!
//! This module must not judge the run.

use crate::collect::Collector;
use crate::error::PerfError;
use crate::jmeter::{Label, TOOL, TOTAL, add_label};
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use crate::store::Store;
use jiff::Timestamp;
use quick_xml::events::{BytesStart, Event};
use shipgate_model::{PerfEvidence, PerfFormat, RunThresholds};
use std::collections::BTreeMap;
use std::io::BufRead;

const FORMAT: &str = "JMeter JTL (XML)";

/// A JMeter JTL in XML.
pub(crate) static JMETER_XML: JmeterXml = JmeterXml;

/// The reader of JMeter JTL files in XML.
pub(crate) struct JmeterXml;

impl Reader for JmeterXml {
    fn format(&self) -> PerfFormat {
        PerfFormat::Jmeter
    }

    fn describe(&self) -> &'static str {
        "a JMeter JTL in XML"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        let marker = b"<testResults";
        head.text.first() == Some(&b'<') && head.text.windows(marker.len()).any(|w| w == marker)
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(input.stream(path)?, path)
    }
}

/// Reads the XML JTL.
pub(crate) fn read<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let c = Collector::new(PerfFormat::Jmeter, path, FORMAT);
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut closed = false;
    let mut labels: BTreeMap<String, Label> = BTreeMap::new();
    let mut store = Store::new(path);
    let mut total = Label::new(&mut store);
    let mut samples = 0u64;
    let mut run_start: Option<i64> = None;
    loop {
        buf.clear();
        let at = xml.buffer_position();
        let event = xml.read_event_into(&mut buf).map_err(|e| {
            c.invalid(
                format!("byte {}", xml.error_position()),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let (element, opens) = match event {
            Event::Eof => break,
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    closed = true;
                }
                continue;
            }
            _ => continue,
        };
        let where_ = format!("byte {at}");
        match depth {
            0 => {
                if closed {
                    return Err(c.invalid(
                        where_,
                        "a second root element after `</testResults>`: the file holds more than one run",
                    ));
                }
                if element.name().as_ref() != "testResults" {
                    return Err(c.invalid(
                        where_,
                        format!(
                            "the root element is `<{}>`; a JMeter JTL in XML is one `<testResults>`",
                            element.name().as_ref()
                        ),
                    ));
                }
                if !opens {
                    closed = true;
                }
            }
            1 => {
                let name = element.name().as_ref().to_owned();
                if name != "httpSample" && name != "sample" {
                    return Err(c.invalid(
                        where_,
                        format!(
                            "`<{name}>` inside `<testResults>`, where JMeter writes only `<httpSample>` and `<sample>`"
                        ),
                    ));
                }
                let s = sample(&c, &element, &where_)?;
                if s.label == TOTAL {
                    return Err(c.invalid(
                        &where_,
                        "a sampler is labelled `Total`, the name shipgate gives the aggregate of all samples; rename the sampler",
                    ));
                }
                if let Some(ts) = s.start {
                    run_start = Some(run_start.map_or(ts, |r| r.min(ts)));
                }
                labels
                    .entry(s.label)
                    .or_insert_with(|| Label::new(&mut store))
                    .add(&mut store, s.elapsed, s.failed, s.start)?;
                total.add(&mut store, s.elapsed, s.failed, s.start)?;
                samples += 1;
            }
            // A sample's sub-results, assertion results, response data: part of their sample.
            _ => {}
        }
        if opens {
            depth += 1;
        }
    }
    if depth > 0 || !closed {
        return Err(c.invalid(
            format!("byte {}", xml.buffer_position()),
            "the file ends before `</testResults>`, which JMeter writes when the test ends: the run was cut short or the file is incomplete",
        ));
    }
    if samples == 0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "samples".to_owned(),
        });
    }
    let mut c = c;
    for (name, acc) in labels
        .into_iter()
        .chain(std::iter::once((TOTAL.to_owned(), total)))
    {
        add_label(&mut c, &mut store, &name, acc)?;
    }
    let mut p = provenance(TOOL, FORMAT);
    p.run_at = run_start.and_then(|ms| Timestamp::from_millisecond(ms).ok());
    c.finish(p, RunThresholds::NotRecorded)
}

/// One top-level sample's figures.
struct SampleFigures {
    label: String,
    elapsed: f64,
    failed: bool,
    start: Option<i64>,
}

/// Reads a sample's attributes: `t`, `s` and `lb` are required, `ts` used when present.
fn sample(c: &Collector, element: &BytesStart<'_>, at: &str) -> Result<SampleFigures, PerfError> {
    let (mut t, mut s, mut lb, mut ts) = (None, None, None, None);
    for attr in element.attributes() {
        let attr =
            attr.map_err(|e| c.invalid(at, format!("an attribute is not well-formed: {e}")))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| c.invalid(at, format!("an attribute value is not well-formed: {e}")))?
            .into_owned();
        match attr.key.as_ref() {
            "t" => t = Some(value),
            "s" => s = Some(value),
            "lb" => lb = Some(value),
            "ts" => ts = Some(value),
            _ => {}
        }
    }
    let need = |v: Option<String>, attr: &str, property: &str| {
        v.ok_or_else(|| {
            c.invalid(
                at,
                format!("the sample has no `{attr}` attribute; JMeter writes it unless `jmeter.save.saveservice.{property}=false`"),
            )
        })
    };
    let t = need(t, "t", "time")?;
    let s = need(s, "s", "successful")?;
    let label = need(lb, "lb", "label")?;
    let elapsed = t
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            c.invalid(
                at,
                format!("`t=\"{t}\"` is not an elapsed time in milliseconds"),
            )
        })?;
    let failed = match s.trim() {
        "true" => false,
        "false" => true,
        other => {
            return Err(c.invalid(at, format!("`s=\"{other}\"` is neither `true` nor `false`")));
        }
    };
    Ok(SampleFigures {
        label,
        elapsed,
        failed,
        start: ts.and_then(|v| v.trim().parse::<i64>().ok()),
    })
}
