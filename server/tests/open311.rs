//! Open311 GeoReport v2 on the server, with the specification's own requests
//! (<https://wiki.open311.org/GeoReport_v2>): services, a service definition, a request posted
//! as a form with an `api_key`, read back by id and in a list, its status following the case,
//! and the specification's errors. Personal data never leaves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

fn form(url: &str, body: &str) -> (u16, Value) {
    let (status, text) = post_raw(
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes().to_vec(),
    );
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}")),
    )
}

fn get_json(url: &str) -> (u16, Value) {
    let (status, text) = get(url);
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}")),
    )
}

#[test]
fn open311_requests_round_trip_without_personal_data() {
    let setup = Setup::new("open311", "");
    let database = format!("sqlite:{}/civicflow.db", setup.dir.0.display());
    load_township(&database);
    let server = Server::start(&database, &setup.config(), &["--no-jobs"], &[]);
    let base = format!("{}/open311/v2", server.url);

    let (status, services) = get_json(&format!(
        "{base}/services.json?jurisdiction_id=qingshan.example.gov.cn"
    ));
    assert_eq!(status, 200);
    assert_eq!(
        services[0],
        json!({"service_code": "streetlight", "service_name": "路灯不亮",
        "description": "路灯、道路照明故障", "metadata": true, "type": "realtime",
        "keywords": "路灯,照明", "group": "市政"})
    );
    assert_eq!(services[1]["metadata"], false);

    let (status, definition) = get_json(&format!("{base}/services/streetlight.json"));
    assert_eq!(status, 200);
    assert_eq!(
        definition,
        json!({"service_code": "streetlight", "attributes": [{
        "variable": true, "code": "region", "datatype": "singlevaluelist", "required": true,
        "datatype_description": "", "order": 1, "description": "所在村（社区）",
        "values": [{"key": "dongcun", "name": "东村"}, {"key": "xicun", "name": "西村"}]}]})
    );

    // The specification's POST, with our service and attribute.
    let post = format!(
        "api_key={}&jurisdiction_id=qingshan.example.gov.cn&service_code=streetlight&lat=37.76524078&long=-122.4212043&address_string=%E4%B8%9C%E6%9D%91%E6%9D%91%E5%8F%A3&email=smit222%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=%E5%BC%A0&last_name=%E4%BC%9F&phone=13800001234&description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&media_url=http%3A%2F%2Fexample.com%2Fimg.jpg&attribute%5Bregion%5D=dongcun",
        setup.api_key
    );
    let (status, created) = form(&format!("{base}/requests.json"), &post);
    assert_eq!(status, 201, "{created}");
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created[0]["service_notice"], "3个工作日内答复");

    let (status, read) = get_json(&format!("{base}/requests/{id}.json"));
    assert_eq!(status, 200);
    let request = &read[0];
    assert_eq!(request["service_request_id"], id.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "streetlight");
    assert_eq!(request["description"], "路灯不亮");
    assert_eq!(request["address"], "东村村口");
    let requested = request["requested_datetime"].as_str().unwrap();
    assert!(
        requested.ends_with("+08:00") && requested.len() == 25,
        "{requested}"
    );
    let expected = request["expected_datetime"].as_str().unwrap();
    assert!(expected > requested, "{expected} after {requested}");
    let text = read.to_string();
    for personal in ["张", "伟", "13800001234", "smit222", "张 伟"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // The desk closes it: the status and notes follow.
    let t = |m: i64| 1_800_000_000_000_i64 + m * 60_000;
    let steps = [
        ("clerk", "accept", json!({})),
        (
            "dispatcher",
            "dispatch",
            json!({"handling_unit": "dongcun"}),
        ),
        ("handler", "sign", json!({})),
        ("handler", "reply", json!({"reply_text": "已更换灯泡"})),
        (
            "clerk",
            "callback",
            json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
        ),
        ("clerk", "close", json!({})),
    ];
    for (i, (who, transition, payload)) in steps.into_iter().enumerate() {
        let request = json!({"op": "apply", "case_id": id, "transition": transition, "payload": payload, "at": t(i as i64)});
        let (status, answer) = server.call(setup.token(who), &request);
        assert_eq!(status, 200, "{transition}: {answer}");
    }
    let (_, read) = get_json(&format!("{base}/requests/{id}.json"));
    assert_eq!(
        (read[0]["status"].as_str(), read[0]["status_notes"].as_str()),
        (Some("closed"), Some("已更换灯泡"))
    );
    assert_eq!(read[0]["agency_responsible"], "东村村民委员会");
    assert!(read[0]["expected_datetime"].is_null());

    let (_, open) = get_json(&format!(
        "{base}/requests.json?service_code=streetlight&status=open&start_date=2020-01-01T00:00:00Z"
    ));
    assert_eq!(open, json!([]));
    let (_, closed) = get_json(&format!("{base}/requests.json?status=closed&start_date=2020-01-01T00:00:00Z&end_date=2099-01-01T00:00:00%2B08:00"));
    assert_eq!(closed[0]["service_request_id"], id.as_str());
    let (_, by_id) = get_json(&format!(
        "{base}/requests.json?service_request_id={id},S-000000000000"
    ));
    assert_eq!(by_id.as_array().unwrap().len(), 1);

    // The specification's errors: an array of {code, description}, with that HTTP status.
    let without = |field: &str| {
        post.split('&')
            .filter(|p| !p.starts_with(field))
            .collect::<Vec<_>>()
            .join("&")
    };
    let errors = [
        (
            403,
            form(&format!("{base}/requests.json"), &without("api_key=")),
        ),
        (
            403,
            form(
                &format!("{base}/requests.json"),
                &post.replace(&setup.api_key, "cf_nope"),
            ),
        ),
        (
            400,
            form(&format!("{base}/requests.json"), &without("service_code=")),
        ),
        (
            404,
            form(
                &format!("{base}/requests.json"),
                &post.replace("service_code=streetlight", "service_code=potholes"),
            ),
        ),
        (
            400,
            form(
                &format!("{base}/requests.json"),
                &without("lat=")
                    .split('&')
                    .filter(|p| !p.starts_with("address_string="))
                    .collect::<Vec<_>>()
                    .join("&"),
            ),
        ),
        (
            400,
            form(
                &format!("{base}/requests.json"),
                &without("attribute%5Bregion%5D="),
            ),
        ),
        (
            400,
            form(
                &format!("{base}/requests.json"),
                &post.replace("=dongcun", "=nowhere"),
            ),
        ),
        (
            404,
            form(
                &format!("{base}/requests.json"),
                &post.replace("qingshan.example.gov.cn", "other.gov"),
            ),
        ),
        (404, get_json(&format!("{base}/services/potholes.json"))),
        (
            404,
            get_json(&format!("{base}/requests/S-000000000000.json")),
        ),
        (
            404,
            get_json(&format!("{base}/services.json?jurisdiction_id=other.gov")),
        ),
        (400, get_json(&format!("{base}/services.csv"))),
        (
            400,
            get_json(&format!("{base}/requests.json?start_date=yesterday")),
        ),
        (400, get_json(&format!("{base}/requests.json?status=lost"))),
    ];
    for (i, (status, (got, body))) in errors.into_iter().enumerate() {
        assert_eq!(
            (got, &body[0]["code"]),
            (status, &json!(status)),
            "error {i}: {body}"
        );
        assert!(body[0]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    // The same in XML, as the specification writes it (FixMyStreet asks for XML).
    let (status, xml) = get(&format!("{base}/requests/{id}.xml"));
    assert_eq!(status, 200);
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request>"),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("<service_request_id>{id}</service_request_id>"))
            && xml.contains("<status>closed</status>")
    );
    assert!(
        xml.contains("<status_notes>已更换灯泡</status_notes>") && xml.contains("<address_id/>")
    );
    let (_, services) = get(&format!("{base}/services.xml"));
    assert!(
        services.contains("<services><service><description>路灯、道路照明故障</description>"),
        "{services}"
    );
    let (_, definition) = get(&format!("{base}/services/streetlight.xml"));
    assert!(
        definition.contains("<service_definition><attributes><attribute>")
            && definition.contains("<values><value><key>dongcun</key><name>东村</name></value>"),
        "{definition}"
    );
    let (status, created) = post_raw(
        &format!("{base}/requests.xml"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        post.clone().into_bytes(),
    );
    assert_eq!(status, 201);
    assert!(created.contains("<service_requests><request><account_id/><service_notice>3个工作日内答复</service_notice><service_request_id>S-"), "{created}");
    let (status, refused) = get(&format!("{base}/requests/S-000000000000.xml"));
    assert_eq!(status, 404);
    assert!(
        refused.contains("<errors><error><code>404</code><description>"),
        "{refused}"
    );

    // The refused posts opened nothing (the XML post is the second request).
    let (_, all) = get_json(&format!(
        "{base}/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2099-01-01T00:00:00Z"
    ));
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
}
