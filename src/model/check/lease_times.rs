//! Rules on lease times in effect per scope (DF150, DF151).

use super::{DF150, DF151};
use std::collections::HashSet;

use miette::SourceSpan;

use crate::diag::Finding;
use crate::model::{Duration, Pair, ScopeParams, Spanned};

/// Lease-time settings in effect, with where each was set.
#[derive(Clone, Copy, Default)]
struct InEffect<'a> {
    default: Option<&'a Spanned<Duration>>,
    max: Option<&'a Spanned<Duration>>,
    min: Option<&'a Spanned<Duration>>,
}

impl<'a> InEffect<'a> {
    fn enter(self, scope: &'a dyn ScopeParams) -> Self {
        InEffect {
            default: scope.default_lease_time().or(self.default),
            max: scope.max_lease_time().or(self.max),
            min: scope.min_lease_time().or(self.min),
        }
    }
}

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let global = pair.global.as_ref().map(|g| g.value());
    let root = global.map_or(InEffect::default(), |g| InEffect::default().enter(g));
    let mut visit = |at: InEffect<'_>, out: &mut Vec<Finding>| compare(at, &mut seen, out);
    visit(root, out);
    let standalone = pair.subnets.iter().map(|s| (root, s));
    let shared = pair.shared_networks.iter().flat_map(|sn| {
        let at = root.enter(sn.value());
        sn.subnets.iter().map(move |s| (at, s))
    });
    for (at, subnet) in standalone.chain(shared).collect::<Vec<_>>() {
        let at = at.enter(subnet.value());
        visit(at, out);
        for pool in &subnet.pools {
            visit(at.enter(pool.value()), out);
        }
    }
    for host in &pair.hosts {
        visit(root.enter(host.value()), out);
    }
    for class in &pair.classes {
        visit(root.enter(class.value()), out);
    }
}

fn compare(at: InEffect<'_>, seen: &mut HashSet<(usize, usize)>, out: &mut Vec<Finding>) {
    let Some(max) = at.max else { return };
    let key = |s: SourceSpan| s.offset();
    if let Some(default) = at.default
        && default.secs() > max.secs()
        && seen.insert((key(default.span()), key(max.span())))
    {
        out.push(
            DF150
                .at(
                    default.span(),
                    format!(
                        "default-lease-time {} is above max-lease-time {}",
                        default.secs(),
                        max.secs()
                    ),
                )
                .label("default-lease-time")
                .related(max.span(), "max-lease-time in effect here")
                .help(
                    "make default-lease-time at most max-lease-time; dhcpd would cap it silently",
                ),
        );
    }
    if let Some(min) = at.min
        && min.secs() > max.secs()
        && seen.insert((key(min.span()), key(max.span())))
    {
        out.push(
            DF151
                .at(
                    min.span(),
                    format!(
                        "min-lease-time {} is above max-lease-time {}",
                        min.secs(),
                        max.secs()
                    ),
                )
                .label("min-lease-time")
                .related(max.span(), "max-lease-time in effect here")
                .help("make min-lease-time at most max-lease-time"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{codes, with};

    #[test]
    fn lease_time_rules() {
        assert!(
            codes(&with(
                "global: { default-lease-time: 1h, max-lease-time: 2h }\n"
            ))
            .is_empty()
        );
        assert_eq!(
            codes(&with(
                "global: { default-lease-time: 3h, max-lease-time: 2h }\n"
            )),
            ["DF150"]
        );
        assert_eq!(
            codes(&with(
                "global: { min-lease-time: 3h, max-lease-time: 2h }\n"
            )),
            ["DF151"]
        );
        let inherited = "  - network: 10.1.0.0/24\n    default-lease-time: 3h\n    pools:\n      - range: [10.1.0.10, 10.1.0.20]\nglobal: { max-lease-time: 2h }\n";
        assert_eq!(codes(&with(inherited)), ["DF150"]);
        let pool_override = "  - network: 10.1.0.0/24\n    pools:\n      - range: [10.1.0.10, 10.1.0.20]\n        default-lease-time: 3h\n        max-lease-time: 4h\nglobal: { max-lease-time: 2h }\n";
        assert!(codes(&with(pool_override)).is_empty());
    }
}
