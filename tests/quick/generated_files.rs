//! Checked-in generated files stay current: the JSON Schema of the model, the shell
//! completions, the manual pages and the README's table of codes. Run with `DHCPFO_BLESS=1` to
//! rewrite them after changing the model or CLI.

use std::path::Path;

use clap_complete::Shell;

fn assert_current(relative: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("DHCPFO_BLESS").is_some() {
        std::fs::write(&path, expected).expect("write generated file");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is stale: run `DHCPFO_BLESS=1 cargo test --test quick generated_files` and commit it"
    );
}

#[test]
fn json_schema_is_current() {
    assert_current(
        "schemas/dhcpfo-pair.schema.json",
        &(dhcpfo::model::schema::json() + "\n"),
    );
}

#[test]
fn man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = dhcpfo::cli::man::pages();
    if std::env::var_os("DHCPFO_BLESS").is_some() {
        std::fs::create_dir_all(&dir).expect("man/");
        for entry in std::fs::read_dir(&dir).expect("man/") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "1") {
                std::fs::remove_file(path).expect("remove a stale page");
            }
        }
    }
    for (name, text) in &pages {
        assert_current(&format!("man/{name}"), text);
    }
    // No page of a command that is gone.
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .expect("man/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".1"))
        .collect();
    present.sort();
    let mut expected: Vec<String> = pages.into_iter().map(|(name, _)| name).collect();
    expected.sort();
    assert_eq!(
        present, expected,
        "man/ is stale: run `DHCPFO_BLESS=1 cargo test --test quick generated_files` and commit it"
    );
}

#[test]
fn completions_are_current() {
    for (shell, file) in [
        (Shell::Bash, "completions/dhcpfo.bash"),
        (Shell::Zsh, "completions/_dhcpfo"),
        (Shell::Fish, "completions/dhcpfo.fish"),
    ] {
        assert_current(file, &dhcpfo::cli::completions::script(shell));
    }
}

#[test]
fn examples_carry_the_schema_modeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("examples folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read example");
            assert!(
                text.starts_with(
                    "# yaml-language-server: $schema=../schemas/dhcpfo-pair.schema.json\n"
                ),
                "{} lacks the yaml-language-server modeline",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 4, "expected the shipped examples, found {seen}");
}

#[test]
fn schema_describes_the_model() {
    let schema: serde_json::Value =
        serde_json::from_str(&dhcpfo::model::schema::json()).expect("schema is JSON");
    let props = &schema["properties"];
    for key in [
        "failover",
        "peers",
        "global",
        "subnets",
        "shared-networks",
        "hosts",
        "classes",
    ] {
        assert!(props.get(key).is_some(), "schema lacks top-level key {key}");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(required, ["failover", "peers"]);
}

#[test]
fn readme_documents_every_key_and_rule() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let schema: serde_json::Value =
        serde_json::from_str(&dhcpfo::model::schema::json()).expect("schema is JSON");
    let mut objects = vec![&schema];
    if let Some(defs) = schema["$defs"].as_object() {
        objects.extend(defs.values());
    }
    for object in objects {
        for key in object["properties"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.keys())
        {
            assert!(
                readme.contains(&format!("`{key}`")),
                "README's YAML reference lacks `{key}`"
            );
        }
    }
    for rule in dhcpfo::model::check::RULES {
        assert!(
            readme.contains(&format!("| {} |", rule.code)),
            "README's rule table lacks {}",
            rule.code
        );
    }
}

/// The README's table of codes is the registry's, every code dhcpfo prints.
#[test]
fn readme_code_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (start, end) = ("<!-- codes:start -->\n", "<!-- codes:end -->");
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        panic!("README.md lacks the codes markers");
    };
    let expected = format!(
        "{}{}{}",
        &readme[..a + start.len()],
        dhcpfo::codes::markdown_table(&dhcpfo::codes::all()),
        &readme[b..]
    );
    if std::env::var_os("DHCPFO_BLESS").is_some() {
        std::fs::write(&path, expected).expect("write README.md");
        return;
    }
    assert!(
        readme == expected,
        "README's table of codes is stale: run `DHCPFO_BLESS=1 cargo test --test quick generated_files`"
    );
}
