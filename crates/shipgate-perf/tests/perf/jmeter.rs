//! Apache JMeter: JTL files written by JMeter 2.13, and the dashboard's statistics.json.

use super::*;
use serde_json::Value;
use shipgate_model::{Direction, PerfUnit, SampleStat};

/// Every stat the JTL reader computes agrees with numpy's on the same file.
fn matches_numpy(jtl: &str) {
    let e = read(jtl).evidence;
    let expected: Value = shipgate_json::parse_value(
        &std::fs::read(fixture(&jtl.replace(".jtl", ".numpy.json"))).unwrap(),
    )
    .unwrap();
    let labels = expected.as_object().unwrap();
    assert_eq!(labels.len(), 4, "checkout, pay, search and Total");
    for (label, stats) in labels {
        for (stat, ours) in [
            ("count", "count"),
            ("errors", "errors"),
            ("avg", "avg"),
            ("min", "min"),
            ("max", "max"),
            ("p50", "med"),
            ("p90", "p90"),
            ("p95", "p95"),
            ("p99", "p99"),
        ] {
            let want = stats[stat].as_f64().unwrap();
            close(
                value(&e, &format!("{label}.{ours}")),
                want,
                &format!("{jtl} {label}.{ours}"),
            );
        }
        let count = stats["count"].as_f64().unwrap();
        let errors = stats["errors"].as_f64().unwrap();
        close(
            value(&e, &format!("{label}.error_rate")),
            errors / count,
            "error_rate",
        );
        let p95 = &e.metrics[&format!("{label}.p95")];
        assert_eq!(p95.unit, PerfUnit::Milliseconds);
        assert_eq!(p95.direction, Some(Direction::Lower));
        let samples = e.samples_of(p95).unwrap();
        let successful = if errors < count {
            count - errors
        } else {
            count
        };
        assert_eq!(
            samples.len() as f64,
            successful,
            "the successful samples' times are kept"
        );
        assert_eq!(
            p95.requests,
            Some(shipgate_model::Requests {
                total: count as u64,
                failed: errors as u64,
                basis: shipgate_model::RequestBasis::Successful,
            })
        );
        assert_eq!(
            p95.samples.as_ref().unwrap().stat,
            SampleStat::Percentile(95.0)
        );
        let rate = &e.metrics[&format!("{label}.error_rate")];
        assert_eq!(rate.unit, PerfUnit::Ratio);
        assert_eq!(e.samples_of(rate).unwrap().iter().sum::<f64>(), errors);
        let throughput = &e.metrics[&format!("{label}.throughput")];
        assert_eq!(throughput.unit, PerfUnit::PerSecond);
        assert_eq!(throughput.direction, Some(Direction::Higher));
        assert!(throughput.value > 0.0);
    }
    assert_eq!(e.provenance.tool, "Apache JMeter");
    assert!(
        e.provenance.run_at.is_some(),
        "the first sample's time stamp"
    );
}

#[test]
fn jtl_percentiles_match_numpy_headerless_default() {
    matches_numpy("jmeter-2.13-default.jtl");
    let e = read("jmeter-2.13-default.jtl").evidence;
    assert!(
        e.provenance.format.contains("no header row"),
        "{}",
        e.provenance.format
    );
}

#[test]
fn jtl_in_xml_percentiles_match_numpy() {
    matches_numpy("jmeter-2.13-xml.jtl");
    assert_eq!(
        read("jmeter-2.13-xml.jtl").evidence.provenance.format,
        "JMeter JTL (XML)"
    );
}

/// The JTL in XML, as JMeter 2.13 wrote it, cut before `</testResults>`: the run did not end.
#[test]
fn a_jtl_in_xml_cut_short_is_refused() {
    let text = std::fs::read_to_string(fixture("jmeter-2.13-xml.jtl")).unwrap();
    for cut in [
        text.len() / 3,
        text.len() / 2,
        text.rfind("</testResults>").unwrap(),
    ] {
        let err = bytes(&text[..cut]).unwrap_err();
        assert!(
            err.to_string().contains("before `</testResults>`")
                || err.to_string().contains("not well-formed"),
            "cut at {cut}: {err}"
        );
        assert!(!err.is_empty_run());
    }
}

/// READY-risk: failed samples (`s="false"`) in a JTL in XML count as failures and stay out of
/// the latency; every sample failed, the times are marked as the failed ones'.
#[test]
fn a_jtl_in_xml_with_failed_samples_says_so() {
    let e = read("jmeter-2.13-xml.jtl").evidence;
    let text = std::fs::read_to_string(fixture("jmeter-2.13-xml.jtl")).unwrap();
    let failed = text.matches("s=\"false\"").count() as f64;
    assert!(failed > 0.0);
    close(value(&e, "Total.errors"), failed, "errors");
    let all_failed = text.replace("s=\"true\"", "s=\"false\"");
    let e = bytes(&all_failed).unwrap().evidence;
    close(value(&e, "Total.error_rate"), 1.0, "error rate");
    let req = e.metrics["Total.p95"].requests.unwrap();
    assert_eq!(req.successful(), 0);
    assert_eq!(req.basis, shipgate_model::RequestBasis::All);
}

#[test]
fn a_jtl_in_xml_that_is_not_jmeter_s_is_refused() {
    let sample = |attrs: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<httpSample {attrs}/>\n</testResults>\n"
        )
    };
    let ok = bytes(&sample(r#"t="5" s="true" lb="a" ts="1700000000000""#)).unwrap();
    close(value(&ok.evidence, "a.max"), 5.0, "max");
    for (attrs, says) in [
        (r#"s="true" lb="a""#, "no `t` attribute"),
        (r#"t="5" lb="a""#, "no `s` attribute"),
        (r#"t="5" s="true""#, "no `lb` attribute"),
        (r#"t="-5" s="true" lb="a""#, "not an elapsed time"),
        (r#"t="5" s="maybe" lb="a""#, "neither `true` nor `false`"),
        (r#"t="5" s="true" lb="Total""#, "labelled `Total`"),
    ] {
        let err = bytes(&sample(attrs)).unwrap_err();
        assert!(err.to_string().contains(says), "{attrs}: {err}");
        assert!(err.to_string().contains("byte "), "{attrs}: {err}");
    }
    let other = "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<result t=\"5\"/>\n</testResults>\n";
    assert!(bytes(other).unwrap_err().to_string().contains("`<result>`"));
    let two = format!(
        "{}{}",
        sample(r#"t="5" s="true" lb="a""#),
        "<testResults version=\"1.2\"></testResults>\n"
    );
    assert!(bytes(&two).is_err());
    // Sub-results are part of their sample, not samples of their own.
    let nested = "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<httpSample t=\"50\" s=\"false\" lb=\"page\"><httpSample t=\"20\" s=\"false\" lb=\"page-0\"/></httpSample>\n</testResults>\n";
    let e = bytes(nested).unwrap().evidence;
    close(value(&e, "Total.count"), 1.0, "count");
    assert!(!e.metrics.contains_key("page-0.count"));
}

#[test]
fn jtl_percentiles_match_numpy_with_header() {
    matches_numpy("jmeter-2.13-header.jtl");
    assert_eq!(
        read("jmeter-2.13-header.jtl").evidence.provenance.format,
        "JMeter JTL (CSV)"
    );
}

#[test]
fn the_pay_sampler_failed_as_the_server_made_it() {
    // server.py answers /pay with 500 about 5% of the time: JMeter marks those success=false.
    let e = read("jmeter-2.13-header.jtl").evidence;
    assert!(value(&e, "pay.errors") > 0.0);
    assert_eq!(value(&e, "checkout.errors"), 0.0);
    assert_eq!(value(&e, "Total.count"), 360.0);
}

#[test]
fn dashboard_statistics_as_written() {
    let e = read("jmeter-dashboard-statistics.json").evidence;
    assert_eq!(e.provenance.format, "JMeter dashboard statistics.json");
    assert!(e.series.is_empty(), "the dashboard has no raw samples");
    let file: Value = shipgate_json::parse_value(
        &std::fs::read(fixture("jmeter-dashboard-statistics.json")).unwrap(),
    )
    .unwrap();
    for (label, s) in file.as_object().unwrap() {
        close(
            value(&e, &format!("{label}.p90")),
            s["pct1ResTime"].as_f64().unwrap(),
            "pct1",
        );
        close(
            value(&e, &format!("{label}.p95")),
            s["pct2ResTime"].as_f64().unwrap(),
            "pct2",
        );
        close(
            value(&e, &format!("{label}.p99")),
            s["pct3ResTime"].as_f64().unwrap(),
            "pct3",
        );
        close(
            value(&e, &format!("{label}.med")),
            s["medianResTime"].as_f64().unwrap(),
            "med",
        );
        // errorPct is 0-100; shipgate's error_rate is a fraction.
        close(
            value(&e, &format!("{label}.error_rate")),
            s["errorPct"].as_f64().unwrap() / 100.0,
            "errorPct",
        );
    }
    // The dashboard of the same JTL says the same as the JTL itself.
    let jtl = read("jmeter-2.13-header.jtl").evidence;
    for metric in ["Total.p95", "checkout.p99", "pay.error_rate", "search.avg"] {
        close(value(&e, metric), value(&jtl, metric), metric);
    }
}

#[test]
fn jtl_dialects_tab_crlf_bom_and_quoted_labels() {
    let tab = "timeStamp\telapsed\tlabel\tresponseCode\tsuccess\n1700000000000\t12\tlogin\t200\ttrue\n1700000000100\t14\tlogin\t200\tfalse\n";
    let e = bytes(tab).unwrap().evidence;
    assert_eq!(value(&e, "login.count"), 2.0);
    assert_eq!(value(&e, "login.error_rate"), 0.5);
    let crlf = "\u{feff}timeStamp,elapsed,label,success\r\n1700000000000,10,\"search, advanced\",true\r\n1700000000050,30,\"search, advanced\",true\r\n";
    let e = bytes(crlf).unwrap().evidence;
    assert_eq!(value(&e, "search, advanced.avg"), 20.0);
    close(
        value(&e, "search, advanced.throughput"),
        2.0 / 0.08,
        "throughput",
    );
}

#[test]
fn broken_jtl_files_are_refused_with_the_line_and_what_to_do() {
    let header_only = bytes("timeStamp,elapsed,label,success\n").unwrap_err();
    assert!(header_only.is_empty_run(), "{header_only}");
    assert!(header_only.to_string().contains("holds no samples"));

    // A headerless file in another column order cannot be read safely.
    let other_order = bytes("1700000000000,12,login,true,200,OK,t1,text\n").unwrap_err();
    let message = other_order.to_string();
    assert!(
        message.contains("line 1") && message.contains("print_field_names=true"),
        "{message}"
    );
    assert!(!other_order.is_empty_run());

    let no_success = bytes("timeStamp,elapsed,label\n1700000000000,12,login\n").unwrap_err();
    assert!(
        no_success.to_string().contains("no `success` column"),
        "{no_success}"
    );

    let bad_elapsed = bytes(
        "timeStamp,elapsed,label,success\n1700000000000,12,a,true\n1700000000001,-3,a,true\n",
    )
    .unwrap_err();
    assert!(bad_elapsed.to_string().contains("line 3"), "{bad_elapsed}");

    let total =
        bytes("timeStamp,elapsed,label,success\n1700000000000,12,Total,true\n").unwrap_err();
    assert!(total.to_string().contains("labelled `Total`"), "{total}");

    let xml = bytes("<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n</testResults>\n")
        .unwrap_err();
    // A JTL in XML with no sample measured nothing.
    assert!(xml.is_empty_run(), "{xml}");
}

/// 600 refused connections, as JMeter 2.13 writes them (the header layout of
/// `jmeter-2.13-header.jtl`; `Non HTTP response code` rows): the times of failed samples only.
#[test]
fn a_jtl_whose_every_sample_failed_keeps_the_times_marked_as_failed() {
    let mut jtl = String::from(
        "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n",
    );
    for i in 0..600u64 {
        jtl.push_str(&format!(
            "{},{},checkout,Non HTTP response code: org.apache.http.conn.HttpHostConnectException,Non HTTP response message: Connection refused,Thread Group 1-1,text,false,2131,1,1,0\n",
            1_764_000_000_000 + i * 5,
            1 + i % 3
        ));
    }
    let e = bytes(&jtl).unwrap().evidence;
    let p95 = &e.metrics["checkout.p95"];
    assert_eq!(p95.value, 3.0);
    assert_eq!(
        p95.requests,
        Some(shipgate_model::Requests {
            total: 600,
            failed: 600,
            basis: shipgate_model::RequestBasis::All
        })
    );
    assert_eq!(value(&e, "Total.error_rate"), 1.0);
    // One successful sample is enough for the times to be the successful ones.
    let one_ok = jtl.replacen(",text,false,", ",text,true,", 1);
    let e = bytes(&one_ok).unwrap().evidence;
    let p95 = &e.metrics["checkout.p95"];
    assert_eq!(p95.value, 1.0, "the one successful sample");
    assert_eq!(
        p95.requests.map(|r| (r.failed, r.basis)),
        Some((599, shipgate_model::RequestBasis::Successful))
    );
}

/// A JTL with a header row of `rows` samples of `checkout`; the rows in `failed` failed.
fn jtl_with_failures(rows: usize, failed: &[usize]) -> String {
    let mut text = String::from("timeStamp,elapsed,label,responseCode,success\n");
    for i in 0..rows {
        let ok = !failed.contains(&i);
        // A failed sample answers fast: read among the successful ones, it would hide a slow run.
        let elapsed = if ok { 100 + i % 7 } else { 1 };
        let code = if ok { 200 } else { 503 };
        text.push_str(&format!(
            "{},{elapsed},checkout,{code},{ok}\n",
            1_795_483_761_000u64 + i as u64
        ));
    }
    text
}

#[test]
fn jtl_failure_flags_are_kept_at_every_place_a_word_of_bits_begins_and_ends() {
    // The reader keeps a row's failure as one bit: rows 0, 63, 64, 127 and 128 sit at the edges
    // of its 64-bit words, and each must come out as a failed sample, in its place.
    let failed = [0, 63, 64, 127, 128];
    let e = bytes(&jtl_with_failures(130, &failed)).unwrap().evidence;
    for name in ["checkout", "Total"] {
        let rate = &e.metrics[&format!("{name}.error_rate")];
        let flags = e.samples_of(rate).unwrap();
        assert_eq!(flags.len(), 130, "{name}");
        let at: Vec<usize> = (0..130).filter(|i| flags[*i] == 1.0).collect();
        assert_eq!(at, failed, "{name}");
        assert_eq!(value(&e, &format!("{name}.errors")), 5.0);
        // Latency is the successful samples' only: the 1 ms failures are not among them.
        let p = &e.metrics[&format!("{name}.min")];
        assert_eq!(p.value, 100.0, "{name}");
        assert_eq!(e.samples_of(p).unwrap().len(), 125, "{name}");
        assert_eq!(p.requests.map(|r| (r.total, r.failed)), Some((130, 5)));
    }
}

#[test]
fn a_jtl_whose_every_sample_failed_keeps_their_times_marked_as_all_requests() {
    let e = bytes(&jtl_with_failures(3, &[0, 1, 2])).unwrap().evidence;
    let p95 = &e.metrics["checkout.p95"];
    assert_eq!(e.samples_of(p95).unwrap(), &[1.0, 1.0, 1.0]);
    assert_eq!(
        p95.requests.map(|r| (r.failed, r.basis)),
        Some((3, shipgate_model::RequestBasis::All))
    );
}

#[test]
fn a_jtl_header_naming_the_success_column_twice_is_refused() {
    // `success` twice: the first `true` and the second `false` (or the other way round) would
    // make the failed samples pass for successful ones.
    let text = "timeStamp,elapsed,label,success,responseCode,success\n\
                1795483761000,5,checkout,true,503,false\n";
    let e = bytes(text).expect_err("a repeated success column must be refused");
    assert!(e.to_string().contains("`success` column twice"), "{e}");
    let text = "timeStamp,elapsed,label,elapsed,success\n1795483761000,5,checkout,900,true\n";
    let e = bytes(text).expect_err("a repeated elapsed column must be refused");
    assert!(e.to_string().contains("`elapsed` column twice"), "{e}");
}

#[test]
fn jtl_fields_are_trimmed_of_any_white_space_and_a_byte_order_mark_as_before() {
    // The fast reading of a field must trim what the general one trims: a label with a
    // vertical tab or a no-break space at an end is the same sampler, `success` is read.
    let text = "timeStamp,elapsed,label,success\n\
                1795483761000,5,checkout\u{b},true\n\
                1795483761001,7,\u{a0}checkout,\u{feff}false\n\
                1795483761002, 9 ,checkout, true\u{b}\n";
    let e = bytes(text).unwrap().evidence;
    assert_eq!(value(&e, "checkout.count"), 3.0);
    assert_eq!(value(&e, "checkout.errors"), 1.0);
    assert_eq!(value(&e, "checkout.max"), 9.0);
}
