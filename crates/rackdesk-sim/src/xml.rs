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
        "mailboxes" => "mailbox",
        "contacts" => "contact",
        "permissions" => "permission",
        "emailAddressList" => "emailAddress",
        "DistributionLists" => "DistributionList",
        "Recipients" => "Recipient",
        "EmailAddresses" => "EmailAddress",
        "Errors" => "Error",
        "addresses" => "address",
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

/// The namespace of a root: `urn:xml:<root>`, except where the reference shows another
/// spelling (§6.6: `rsMailboxSpamSetting` is in `urn:xml:RSMailboxSpamSetting`).
fn namespace(root: &str) -> &str {
    match root {
        "rsMailboxSpamSetting" => "RSMailboxSpamSetting",
        other => other,
    }
}

/// Renders a JSON answer as an XML document under `root`.
pub fn document(root: &str, v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let ns = namespace(root);
    out.push_str(&format!(
        "<{root} xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"urn:xml:{ns}\">"
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

/// Elements whose children are the items of a list, whatever their names
/// (`<Recipients><Recipient>..</Recipient></Recipients>`), also when there is only one.
const LIST_CONTAINERS: &[&str] = &["Recipients", "EmailAddresses"];

struct Open {
    name: String,
    children: Vec<(String, Value)>,
    text: String,
}

impl Open {
    fn close(self) -> Value {
        if self.children.is_empty() {
            return Value::String(self.text.trim().to_owned());
        }
        if LIST_CONTAINERS.contains(&self.name.as_str()) {
            return Value::Array(self.children.into_iter().map(|(_, v)| v).collect());
        }
        let mut map = serde_json::Map::new();
        for (k, v) in self.children {
            match map.get_mut(&k) {
                Some(Value::Array(a)) => a.push(v),
                Some(prev) => {
                    let first = prev.take();
                    *prev = Value::Array(vec![first, v]);
                }
                None => {
                    map.insert(k, v);
                }
            }
        }
        Value::Object(map)
    }
}

/// Reads an XML request body (the v1 distribution-list routes) into the same JSON shape a
/// JSON body has: the root's children become the fields, an element with children becomes
/// an object, text stays text (so booleans arrive as `"true"`/`"True"`), repeated elements
/// and [`LIST_CONTAINERS`] become arrays. Namespaces are ignored.
pub fn parse(body: &str) -> Result<Value, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    // Text is trimmed per element, not per piece: `Sales &amp; Deals` keeps its spaces.
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        match ev {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("more than one root element".into());
                }
                stack.push(Open { name: e.local_name().as_ref().to_owned(), children: vec![], text: String::new() });
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, Value::String(String::new()))),
                    None if root.is_none() => root = Some(Value::Object(serde_json::Map::new())),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match &*r.into_inner() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced end tag")?;
                let name = done.name.clone();
                let v = done.close();
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, v)),
                    None => root = Some(if v.is_string() { Value::Object(serde_json::Map::new()) } else { v }),
                }
            }
            Event::Eof => break,
            Event::DocType(_) => return Err("a document type declaration is not allowed".into()),
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
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

    #[test]
    fn an_xml_body_reads_like_json() {
        let x = "<?xml version=\"1.0\"?><DistributionList xmlns=\"urn:x\"><CommonName>sales</CommonName>\
                 <DisplayName>Sales &amp; Deals</DisplayName><IsHiddenFromAddressList>True</IsHiddenFromAddressList>\
                 <Description/><Members><Recipients><Recipient><Action>Add</Action><Value>ann</Value></Recipient>\
                 </Recipients></Members></DistributionList>";
        let v = parse(x).unwrap();
        assert_eq!(v["CommonName"], "sales");
        assert_eq!(v["DisplayName"], "Sales & Deals");
        assert_eq!(v["IsHiddenFromAddressList"], "True");
        assert_eq!(v["Description"], "");
        assert_eq!(v["Members"]["Recipients"][0]["Value"], "ann");
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("name=sales").is_err());
    }
}
