//! XML answers for clients that ask `Accept: text/xml`: the same data as the JSON answers,
//! with the documented list roots (`rsMailboxList`, `domainList`, ...) in the `urn:xml:<root>`
//! namespace. Lists are wrapped (`<rsMailboxes><rsMailbox>..</rsMailbox></rsMailboxes>`).

use serde_json::Value;

/// The element name of one item of a wrapped list.
fn item_name(list: &str) -> Option<&'static str> {
    Some(match list {
        "rsMailboxes" => "rsMailbox",
        "domains" => "domain",
        "admins" => "admin",
        "aliases" => "alias",
        "customers" => "customer",
        "emailForwardingAddressList" => "emailAddress",
        _ => return None,
    })
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
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

fn element(name: &str, v: &Value, out: &mut String) {
    match v {
        Value::Null => {}
        Value::Array(items) => match item_name(name) {
            Some(item) => {
                out.push_str(&format!("<{name}>"));
                for i in items {
                    element(item, i, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            None => {
                for i in items {
                    element(name, i, out);
                }
            }
        },
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                element(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => {
            out.push_str(&format!("<{name}>"));
            escape(s, out);
            out.push_str(&format!("</{name}>"));
        }
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// Renders a JSON answer as an XML document under `root`.
pub fn document(root: &str, v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    out.push_str(&format!(
        "<{root} xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"urn:xml:{root}\">"
    ));
    if let Value::Object(map) = v {
        for (k, v) in map {
            element(k, v, &mut out);
        }
    }
    out.push_str(&format!("</{root}>"));
    out
}

/// A fault in XML: `<badRequestFault code="400"><message>..</message><details>..</details></badRequestFault>`.
pub fn fault(kind: &str, code: u16, message: &str, details: &str) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><{kind} code=\"{code}\"><message>");
    escape(message, &mut out);
    out.push_str("</message><details>");
    escape(details, &mut out);
    out.push_str(&format!("</details></{kind}>"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mailbox_list_has_the_documented_shape() {
        let v = json!({"offset":0,"size":50,"total":1,"rsMailboxes":[{"name":"a&b","displayName":"A <B>"}]});
        let x = document("rsMailboxList", &v);
        assert!(x.contains("xmlns=\"urn:xml:rsMailboxList\""), "{x}");
        assert!(x.contains("<rsMailboxes><rsMailbox>"), "{x}");
        assert!(x.contains("<name>a&amp;b</name>"), "{x}");
        assert!(x.contains("<displayName>A &lt;B&gt;</displayName></rsMailbox></rsMailboxes>"), "{x}");
        assert!(x.contains("<total>1</total>"), "{x}");
    }

    #[test]
    fn unwrapped_lists_repeat_their_element() {
        let v = json!({"name":"sales","emailAddressList":{"emailAddress":["a@x.com","b@x.com"]}});
        let x = document("alias", &v);
        assert!(x.contains("<emailAddressList><emailAddress>a@x.com</emailAddress><emailAddress>b@x.com</emailAddress></emailAddressList>"), "{x}");
    }
}
