//! The manual pages in `man/`, generated from the command line's definition (clap_mangen):
//! `dhcpfo.1`, and one page per command (`dhcpfo-check.1`, `dhcpfo-deploy.1`...).

/// Every manual page as (file name, roff text): `dhcpfo.1` first, then each command's page in
/// the order `dhcpfo --help` lists them.
pub fn pages() -> Vec<(String, String)> {
    let mut root = super::command().disable_help_subcommand(true);
    root.build();
    let source = format!("dhcpfo {}", env!("CARGO_PKG_VERSION"));
    let mut out = vec![page(root.clone(), &source)];
    add_pages(&root, &source, &mut out);
    out
}

/// The pages of `parent`'s commands, each followed by its own commands' pages
/// (`dhcpfo-failover.1`, then `dhcpfo-failover-state.1`...), as its page refers to them.
fn add_pages(parent: &clap::Command, source: &str, out: &mut Vec<(String, String)>) {
    for command in parent
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
    {
        out.push(page(command.clone(), source));
        add_pages(command, source, out);
    }
}

fn page(command: clap::Command, source: &str) -> (String, String) {
    let man = clap_mangen::Man::new(command)
        .source(source)
        .manual("dhcpfo manual");
    let mut roff = Vec::new();
    // Rendering into memory cannot fail.
    let _ = man.render(&mut roff);
    (
        man.get_filename(),
        String::from_utf8_lossy(&roff).into_owned(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_page_per_command_named_after_it() {
        let pages = super::pages();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.first(), Some(&"dhcpfo.1"));
        assert!(names.contains(&"dhcpfo-deploy.1"), "{names:?}");
        let (_, deploy) = pages
            .iter()
            .find(|(n, _)| n == "dhcpfo-deploy.1")
            .expect("deploy page");
        assert!(deploy.contains(".TH dhcpfo-deploy 1"), "{deploy}");
        assert!(deploy.contains("\\-\\-layout"), "{deploy}");
        assert!(deploy.contains(&format!("dhcpfo {}", env!("CARGO_PKG_VERSION"))));
    }

    #[test]
    fn every_page_a_page_refers_to_is_generated() {
        let pages = super::pages();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for (name, text) in &pages {
            for word in text.split(|c: char| c.is_whitespace() || c == ',') {
                let Some(referred) = word.strip_suffix("(1)") else {
                    continue;
                };
                let file = format!(
                    "{}.1",
                    referred.trim_start_matches("\\fB").replace("\\-", "-")
                );
                if file.starts_with("dhcpfo") {
                    assert!(
                        names.contains(&file.as_str()),
                        "{name} refers to {file}: {names:?}"
                    );
                }
            }
        }
        assert!(names.contains(&"dhcpfo-failover-state.1"), "{names:?}");
    }
}
