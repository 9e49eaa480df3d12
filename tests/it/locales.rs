//! Every locale has exactly the keys of English, and every key is used somewhere.

use herald::i18n::{message_ids, LOCALE_FILES};

fn every_locale_has_exactly_the_english_keys() {
    let english = message_ids(LOCALE_FILES[0].1);
    assert!(!english.is_empty());
    for (tag, source) in LOCALE_FILES {
        let mut keys = message_ids(source);
        let mut reference = english.clone();
        keys.sort();
        reference.sort();
        let missing: Vec<_> = reference.iter().filter(|k| !keys.contains(k)).collect();
        let extra: Vec<_> = keys.iter().filter(|k| !reference.contains(k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "locales/{tag}.ftl: missing {missing:?}, extra {extra:?}"
        );
        let i18n = herald::i18n::I18n::load().unwrap();
        for key in &reference {
            assert!(
                i18n.has(tag, key),
                "locales/{tag}.ftl: `{key}` has no value"
            );
        }
    }
}

fn sources(dir: &std::path::Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn every_key_is_used() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut code = String::new();
    sources(&root.join("src"), &mut code);
    sources(&root.join("templates"), &mut code);
    for key in message_ids(LOCALE_FILES[0].1) {
        assert!(
            code.contains(&format!("\"{key}\"")),
            "locale key `{key}` is not used in src/ or templates/"
        );
    }
}

/// `key = value` (with its indented continuation lines) of a Fluent source.
fn messages(source: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with(' ') {
            if let Some(key) = &current {
                let text: &mut String = out.get_mut(key).unwrap();
                text.push_str(line);
            }
            continue;
        }
        current = None;
        if let Some((key, value)) = line.split_once(" =") {
            if !key.starts_with('#') && !key.is_empty() && !key.contains(' ') {
                out.insert(key.to_string(), value.to_string());
                current = Some(key.to_string());
            }
        }
    }
    out
}

fn variables(text: &str) -> std::collections::BTreeSet<String> {
    text.split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .collect()
}

/// A problem or field label in translation may leave out a variable of the English message,
/// never use one English does not have (the code gives only those; a missing one would show the
/// English message instead).
fn problem_translations_use_only_the_variables_of_english() {
    let english = messages(LOCALE_FILES[0].1);
    for (tag, source) in &LOCALE_FILES[1..] {
        for (key, text) in messages(source)
            .into_iter()
            .filter(|(k, _)| k.starts_with("problem-") || k.starts_with("field-"))
        {
            let allowed = variables(&english[&key]);
            let used = variables(&text);
            assert!(
                used.is_subset(&allowed),
                "locales/{tag}.ftl: `{key}` uses {used:?}, English has {allowed:?}"
            );
        }
    }
}

/// Every problem message formats in every locale with the arguments the service gives it.
fn problems_format_in_every_locale() {
    use herald::domain::{Arg, Problem};
    let i18n = herald::i18n::I18n::load().unwrap();
    let english = messages(LOCALE_FILES[0].1);
    for (key, text) in english.iter().filter(|(k, _)| k.starts_with("problem-")) {
        let key: &'static str = Box::leak(key.clone().into_boxed_str());
        let mut problem = Problem::new(key);
        for name in variables(text) {
            let name: &'static str = Box::leak(name.into_boxed_str());
            let arg = match name {
                "max" | "min" | "days" => Arg::Number(7),
                "earlier" => Arg::field("impact_started_at"),
                "kind" => Arg::Text("maintenance".into()),
                _ => Arg::Text("VALUE".into()),
            };
            problem = problem.with(name, arg);
        }
        let in_english = i18n.problem("en", &problem, &|f| format!("<{f}>"));
        for (tag, _) in LOCALE_FILES {
            let said = i18n.problem(tag, &problem, &|f| format!("<{f}>"));
            assert!(
                !said.is_empty() && !said.contains('{') && said != key,
                "{tag} {key}: {said}"
            );
            // Not the English fallback of a message that failed to format.
            assert!(*tag == "en" || said != in_english, "{tag} {key}: {said}");
            if text.contains("$max") {
                assert!(said.contains('7'), "{tag} {key}: {said}");
            }
        }
    }
}

crate::helpers::register! {
    every_locale_has_exactly_the_english_keys [sync],
    every_key_is_used [sync],
    problem_translations_use_only_the_variables_of_english [sync],
    problems_format_in_every_locale [sync],
}
