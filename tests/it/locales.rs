//! Every locale has exactly the keys of English, and every key is used somewhere.

use herald::render::i18n::{message_ids, LOCALE_FILES};

#[test]
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
        let i18n = herald::render::i18n::I18n::load().unwrap();
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

#[test]
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
