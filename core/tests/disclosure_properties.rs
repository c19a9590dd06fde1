//! Property tests of public views: whatever the citizen wrote, and wherever in the case it
//! ended up, no five consecutive digits of a personal phone or ID number and no full personal
//! name ever appear in what may be published.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::{Actor, Engine, Opening, Values};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn workflow() -> Value {
    json!({
        "format": 1, "id": "disclosure", "version": 1, "title": "disclosure",
        "fields": [
            { "id": "name", "type": "string", "personal": true, "visibility": "public", "mask": "name" },
            { "id": "phone", "type": "string", "personal": true, "visibility": "public", "mask": "phone" },
            { "id": "id_number", "type": "string", "personal": true, "visibility": "public", "mask": "id_number" },
            { "id": "contact", "type": "string", "personal": true, "mask": "name" },
            { "id": "backup_phone", "type": "string", "personal": true, "visibility": "public",
              "mask": { "keep_start": 7, "keep_end": 0 } },
            { "id": "count", "type": "number", "visibility": "public" },
            { "id": "summary", "type": "string", "visibility": "public" },
            { "id": "story", "type": "text", "visibility": "public", "scrub": true },
            { "id": "reply", "type": "text", "visibility": "public", "scrub": true },
            { "id": "tags", "type": "list", "visibility": "public" },
            { "id": "unit", "type": "string" },
            { "id": "accused", "type": "string" }
        ],
        "roles": [{ "id": "clerk" }],
        "states": [
            { "id": "open", "initial": true },
            { "id": "closed", "terminal": true }
        ],
        "transitions": [{ "id": "close", "from": ["open"], "to": "closed", "roles": ["clerk"] }],
        "handling": { "unit_field": "unit", "accused_field": "accused" }
    })
}

fn name() -> impl Strategy<Value = String> {
    let surname = prop::sample::select(vec!["张", "王", "李", "赵", "欧阳", "司马"]);
    let given = prop::collection::vec(
        prop::sample::select(vec![
            "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
        ]),
        1..3,
    );
    (surname, given).prop_map(|(s, g)| format!("{s}{}", g.concat()))
}

fn phone() -> impl Strategy<Value = String> {
    ("1[3-9][0-9]{9}").prop_map(|s| s)
}

fn id_number() -> impl Strategy<Value = String> {
    ("[1-6][0-9]{16}[0-9X]").prop_map(|s| s)
}

/// How a number may be written in free text.
fn spelled(number: &str, style: u8) -> String {
    let chars: Vec<char> = number.chars().collect();
    match style % 4 {
        0 => number.to_owned(),
        1 => chars
            .iter()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(u32::from('０') + d).unwrap(),
                None => *c,
            })
            .collect(),
        2 => chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
        _ => chars
            .chunks(3)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"),
    }
}

#[derive(Clone, Debug)]
enum Piece {
    Name,
    Contact,
    Phone(u8),
    Id(u8),
    Digits(String),
    Filler(&'static str),
}

fn text() -> impl Strategy<Value = Vec<Piece>> {
    let piece = prop_oneof![
        Just(Piece::Name),
        Just(Piece::Contact),
        any::<u8>().prop_map(Piece::Phone),
        any::<u8>().prop_map(Piece::Id),
        "[0-9]{1,4}".prop_map(Piece::Digits),
        prop::sample::select(vec![
            "反映",
            "路灯不亮",
            "，",
            "电话",
            " ",
            "-",
            "X",
            "@",
            "qq.com",
            "2024-11-25"
        ])
        .prop_map(Piece::Filler),
    ];
    prop::collection::vec(piece, 0..12)
}

struct Person {
    name: String,
    contact: String,
    phone: String,
    id: String,
}

fn render(pieces: &[Piece], p: &Person) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Name => p.name.clone(),
            Piece::Contact => p.contact.clone(),
            Piece::Phone(s) => spelled(&p.phone, *s),
            Piece::Id(s) => spelled(&p.id, *s),
            Piece::Digits(d) => d.clone(),
            Piece::Filler(f) => (*f).to_owned(),
        })
        .collect()
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap()
            }
            c => c,
        })
        .collect()
}

fn leaks(text: &str, p: &Person) -> Option<String> {
    let text = ascii_digits(text);
    for name in [&p.name, &p.contact] {
        if text.contains(name.as_str()) {
            return Some(format!("name {name}"));
        }
    }
    for number in [&p.phone, &p.id] {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        for k in 0..=digits.len() - 5 {
            let window = &digits[k..k + 5];
            if text.contains(window) {
                return Some(format!("digits {window} of {number}"));
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_personal_is_published(
        person in (name(), name(), phone(), id_number()),
        summary in text(),
        story in text(),
        reply in text(),
        tags in prop::collection::vec(text(), 0..3),
        accusation in any::<bool>(),
    ) {
        let p = Person { name: person.0, contact: person.1, phone: person.2, id: person.3 };
        let mut engine = Engine::new();
        engine.load_workflow(serde_json::from_value(workflow()).unwrap()).unwrap();
        let mut fields = Map::new();
        fields.insert("name".into(), json!(p.name));
        fields.insert("phone".into(), json!(p.phone));
        fields.insert("id_number".into(), json!(p.id));
        fields.insert("contact".into(), json!(p.contact));
        // A custom mask that keeps too much, and a public number that is the phone: neither
        // may show five of its digits.
        fields.insert("backup_phone".into(), json!(p.phone));
        fields.insert("count".into(), json!(p.phone.parse::<f64>().unwrap()));
        // A `string` holds at most 1024 bytes; the generated texts stay below that.
        fields.insert("summary".into(), json!(render(&summary, &p)));
        fields.insert("story".into(), json!(render(&story, &p)));
        fields.insert("reply".into(), json!(render(&reply, &p)));
        let tags: Vec<String> = tags.iter().map(|t| render(t, &p)).collect();
        fields.insert("tags".into(), json!(tags));
        if accusation {
            fields.insert("accused".into(), json!("town-env"));
        }
        let clerk = Actor::new("c-1", &["clerk"]);
        let opening = Opening {
            case_id: "C-1", channel: "web", fields: Values::Json(&fields),
            actor: &clerk, at: 1_700_000_000_000, keys: None,
        };
        engine.open_case("disclosure", None, &opening).unwrap();
        let before = engine.case("C-1").unwrap().view();
        let view = serde_json::to_value(engine.public_view("C-1").unwrap()).unwrap();
        prop_assert_eq!(engine.case("C-1").unwrap().view(), before);
        let mut texts = Vec::new();
        strings(&view, &mut texts);
        for t in &texts {
            prop_assert!(leaks(t, &p).is_none(), "{:?} leaks {:?} in {}", t, leaks(t, &p), view);
        }
        prop_assert_eq!(view["accusation"].as_bool(), Some(accusation));
        if accusation {
            prop_assert!(view["fields"].get("name").is_none());
            prop_assert!(view["fields"].get("phone").is_none());
        } else {
            let masked = view["fields"]["phone"].as_str().unwrap();
            prop_assert_eq!(masked.len(), 11);
            prop_assert!(masked.starts_with(&p.phone[..3]) && masked.ends_with(&p.phone[7..]));
        }
        prop_assert!(view["fields"].get("contact").is_none());
        // The public number equal to the phone is published masked, as text (checked above).
        prop_assert!(view["fields"]["count"].is_string());
        prop_assert!(view["fields"].get("unit").is_none());
    }
}
