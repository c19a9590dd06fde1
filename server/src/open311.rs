//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>) on the store: a service is a
//! workflow with fixed field values (its category); `service_request_id` is the case id;
//! `status` is `closed` once the case is terminal, else `open`; `status_notes` and
//! `agency_responsible` come from the case's public view (its reply, its handling unit);
//! `expected_datetime` is the earliest running deadline. Only public fields, masked as the
//! public view masks them, ever leave: never a name, phone number or e-mail.
//!
//! Both formats of the specification: `.json`, and `.xml` with its element names (`services`
//! of `service`, `service_definition`, `service_requests` of `request`, `errors` of `error`).
//! Errors are `{"code", "description"}` lists with the same HTTP status, as it has them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use crate::auth::{hash_token, ActorConfig};

/// The `[open311]` section of the configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open311Config {
    /// When set, requests that name another jurisdiction are refused (404).
    pub jurisdiction_id: Option<String>,
    /// The time zone of the datetimes answered (default `Asia/Shanghai`).
    pub time_zone: Option<String>,
    /// The services offered.
    #[serde(default)]
    pub services: Vec<Service>,
    /// The `api_key`s that may post requests, each an intake-only actor.
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
}

/// One service: a workflow, and the field values that make a case one of this service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    #[serde(default)]
    pub description: String,
    pub group: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The workflow its cases open on.
    pub workflow: String,
    /// Field values every case of the service has (its category, say).
    #[serde(default)]
    pub fields: Map<String, Json>,
    /// The case field `description` goes into (default `summary`).
    pub description_field: Option<String>,
    /// The case field `first_name` and `last_name` go into (personal, never answered).
    pub name_field: Option<String>,
    /// The case field `phone` goes into (personal, never answered).
    pub phone_field: Option<String>,
    /// The case field `address_string` goes into, and `address` comes from when public.
    pub address_field: Option<String>,
    /// Told to the citizen on posting, and in every answer about the request.
    pub service_notice: Option<String>,
    /// The attributes a request of this service gives (`attribute[code]`).
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

/// A service attribute, as `services/{code}.json` answers it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    #[serde(default = "yes")]
    pub variable: bool,
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub datatype_description: String,
    #[serde(default)]
    pub order: i64,
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AttributeValue>,
    /// The case field the value goes into (default: the code).
    #[serde(default, skip_serializing)]
    pub field: Option<String>,
}

fn yes() -> bool {
    true
}

/// One value of a list attribute.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// An `api_key` and the intake actor it stands for.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// `sha256:<hex>` of the key.
    pub hash: String,
    /// The intake channel of the cases it opens (`app`, `web`, ...).
    pub channel: String,
    pub actor: ActorConfig,
}

/// An Open311 answer: HTTP status and JSON body.
pub type Answer = (u16, Json);

/// An error as the specification answers it.
pub fn error(status: u16, description: impl Into<String>) -> Answer {
    (
        status,
        json!([{"code": status, "description": description.into()}]),
    )
}

impl Open311Config {
    /// Checks `jurisdiction_id` when the server is configured with one.
    ///
    /// # Errors
    /// 404 for another jurisdiction.
    pub fn check_jurisdiction(&self, given: Option<&str>) -> Result<(), Answer> {
        match (&self.jurisdiction_id, given) {
            (Some(ours), Some(given)) if ours != given => {
                Err(error(404, format!("jurisdiction_id `{given}` not found")))
            }
            _ => Ok(()),
        }
    }

    /// `services.json`.
    pub fn services(&self) -> Answer {
        let list: Vec<Json> = self
            .services
            .iter()
            .map(|s| {
                json!({"service_code": s.service_code, "service_name": s.service_name,
                       "description": s.description, "metadata": !s.attributes.is_empty(),
                       "type": "realtime", "keywords": s.keywords.join(","),
                       "group": s.group.clone().unwrap_or_default()})
            })
            .collect();
        (200, Json::Array(list))
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.service_code == code)
    }

    /// `services/{code}.json`.
    pub fn definition(&self, code: &str) -> Answer {
        match self.service(code) {
            Some(s) => {
                let mut attributes = s.attributes.clone();
                attributes.sort_by_key(|a| a.order);
                (
                    200,
                    json!({"service_code": s.service_code, "attributes": attributes}),
                )
            }
            None => error(404, format!("service_code `{code}` not found")),
        }
    }

    /// The intake actor of an `api_key`.
    pub fn api_key(&self, key: Option<&str>) -> Option<&ApiKey> {
        let hash = hash_token(key?);
        self.api_keys.iter().find(|k| k.hash == hash)
    }

    /// The service a case belongs to: its workflow, and the service's fixed field values.
    pub fn service_of(&self, workflow: &str, fields: &Map<String, Json>) -> Option<&Service> {
        self.services.iter().find(|s| {
            s.workflow == workflow && s.fields.iter().all(|(k, v)| fields.get(k) == Some(v))
        })
    }

    /// The `open_case` request a `POST requests.json` asks for, or the error to answer.
    ///
    /// # Errors
    /// 403 without a valid `api_key`; 400 without `service_code`, a location or a required
    /// attribute, or with a value outside an attribute's list; 404 for an unknown service.
    pub fn open_request(&self, form: &[(String, String)], case_id: &str) -> Result<Json, Answer> {
        let get = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let key = self
            .api_key(get("api_key"))
            .ok_or_else(|| error(403, "api_key was not provided or is not valid"))?;
        self.check_jurisdiction(get("jurisdiction_id"))?;
        let code =
            get("service_code").ok_or_else(|| error(400, "service_code was not provided"))?;
        let service = self
            .service(code)
            .ok_or_else(|| error(404, format!("service_code `{code}` not found")))?;
        let located = get("address_string").is_some()
            || get("address_id").is_some()
            || (get("lat").is_some() && get("long").is_some());
        if !located {
            return Err(error(
                400,
                "a location is required: lat and long, address_string or address_id",
            ));
        }
        let mut fields = service.fields.clone();
        let mut put = |field: &Option<String>, value: Option<String>| {
            if let (Some(field), Some(value)) = (field, value.filter(|v| !v.is_empty())) {
                fields.insert(field.clone(), Json::String(value));
            }
        };
        put(
            &Some(
                service
                    .description_field
                    .clone()
                    .unwrap_or_else(|| "summary".into()),
            ),
            get("description").map(str::to_owned),
        );
        let name = [get("first_name"), get("last_name")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        put(&service.name_field, Some(name));
        put(&service.phone_field, get("phone").map(str::to_owned));
        put(
            &service.address_field,
            get("address_string").map(str::to_owned),
        );
        for attribute in &service.attributes {
            let name = format!("attribute[{}]", attribute.code);
            let values: Vec<&str> = form
                .iter()
                .filter(|(k, _)| *k == name || *k == format!("{name}[]"))
                .map(|(_, v)| v.as_str())
                .collect();
            if values.is_empty() {
                if attribute.required {
                    return Err(error(
                        400,
                        format!("attribute `{}` is required", attribute.code),
                    ));
                }
                continue;
            }
            if !attribute.values.is_empty() {
                if let Some(bad) = values
                    .iter()
                    .find(|v| !attribute.values.iter().any(|a| a.key == **v))
                {
                    return Err(error(
                        400,
                        format!("`{bad}` is not a value of attribute `{}`", attribute.code),
                    ));
                }
            }
            let value = match attribute.datatype.as_str() {
                "multivaluelist" => json!(values),
                "number" => values
                    .first()
                    .and_then(|v| v.parse::<f64>().ok())
                    .map_or(Json::Null, |n| json!(n)),
                _ => json!(values.first()),
            };
            fields.insert(
                attribute
                    .field
                    .clone()
                    .unwrap_or_else(|| attribute.code.clone()),
                value,
            );
        }
        Ok(
            json!({"op": "open_case", "workflow": service.workflow, "case_id": case_id,
                  "channel": key.channel, "fields": fields, "actor": key.actor}),
        )
    }

    /// A case as an Open311 service request, from its `get_case`, `public_view` and
    /// `sla_status` answers; `None` when it belongs to no service.
    pub fn request(&self, case: &Json, public: &Json, clocks: &Json) -> Option<Json> {
        let fields = case.get("fields").and_then(Json::as_object)?;
        let workflow = case.get("workflow").and_then(Json::as_str)?;
        let service = self.service_of(workflow, fields)?;
        let public_fields = public.get("fields").and_then(Json::as_object);
        let public_field = |name: Option<&String>| {
            name.and_then(|n| public_fields.and_then(|f| f.get(n)))
                .cloned()
                .unwrap_or(Json::Null)
        };
        let description_field = service
            .description_field
            .clone()
            .unwrap_or_else(|| "summary".into());
        let expected = clocks
            .get("clocks")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter(|c| c.get("status").and_then(Json::as_str) == Some("running"))
            .filter_map(|c| c.get("due_at").and_then(Json::as_i64))
            .min();
        let terminal = case.get("terminal") == Some(&Json::Bool(true));
        let notes = public_field(Some(&"reply_text".to_owned()));
        let notes = if notes.is_null() {
            public.get("state_title").cloned().unwrap_or(Json::Null)
        } else {
            notes
        };
        let agency = public
            .get("unit_name")
            .or_else(|| public.get("unit"))
            .cloned()
            .unwrap_or(Json::Null);
        let time = |ms: Option<i64>| ms.map_or(Json::Null, |ms| Json::String(self.datetime(ms)));
        Some(json!({
            "service_request_id": case.get("id"),
            "status": if terminal { "closed" } else { "open" },
            "status_notes": notes,
            "service_name": service.service_name,
            "service_code": service.service_code,
            "description": public_field(Some(&description_field)),
            "agency_responsible": agency,
            "service_notice": service.service_notice,
            "requested_datetime": time(case.get("opened_at").and_then(Json::as_i64)),
            "updated_datetime": time(case.get("updated_at").and_then(Json::as_i64)),
            "expected_datetime": time(expected.filter(|_| !terminal)),
            "address": public_field(service.address_field.as_ref()),
            "address_id": Json::Null,
            "zipcode": Json::Null,
            "lat": Json::Null,
            "long": Json::Null,
            "media_url": Json::Null,
        }))
    }

    /// ISO 8601 in the configured time zone, as `2010-04-14T06:37:38-08:00`.
    pub fn datetime(&self, ms: i64) -> String {
        let zone = self.time_zone.as_deref().unwrap_or("Asia/Shanghai");
        let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| {
                t.to_zoned_datetime(tz)
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

/// Reads an ISO 8601 datetime (`start_date`, `end_date`) into UTC milliseconds.
pub fn parse_datetime(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

/// An answer in the specification's XML: `root` holds the answer's elements; each list is an
/// element of its items, named in the singular (`services` of `service`, `service_requests` of
/// `request`); `null` is an empty element.
pub fn to_xml(root: &str, value: &Json) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    element(&mut out, root, value);
    out.push('\n');
    out
}

fn element(out: &mut String, name: &str, value: &Json) {
    match value {
        Json::Null => {
            out.push_str(&format!("<{name}/>"));
            return;
        }
        _ => out.push_str(&format!("<{name}>")),
    }
    match value {
        Json::Array(items) => {
            let item = match name {
                "service_requests" => "request",
                "services" => "service",
                "attributes" => "attribute",
                "values" => "value",
                "errors" => "error",
                other => other.strip_suffix('s').unwrap_or(other),
            };
            for v in items {
                element(out, item, v);
            }
        }
        Json::Object(fields) => {
            for (k, v) in fields {
                element(out, k, v);
            }
        }
        Json::String(text) => escape(out, text),
        other => out.push_str(&other.to_string()),
    }
    out.push_str(&format!("</{name}>"));
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_xml;
    use serde_json::json;

    #[test]
    fn xml_as_the_specification_writes_it() {
        let errors = json!([{"code": 403, "description": "api_key <missing> & \"wrong\""}]);
        assert_eq!(
            to_xml("errors", &errors),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>403</code><description>api_key &lt;missing&gt; &amp; &quot;wrong&quot;</description></error></errors>\n"
        );
        let requests = json!([{"service_request_id": "S-1", "account_id": null}]);
        assert!(to_xml("service_requests", &requests)
            .contains("<service_requests><request><account_id/><service_request_id>S-1</service_request_id></request></service_requests>"));
    }
}
