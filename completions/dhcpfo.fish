# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dhcpfo_global_optspecs
    string join \n h/help V/version
end

function __fish_dhcpfo_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dhcpfo_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dhcpfo_using_subcommand
    set -l cmd (__fish_dhcpfo_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -s h -l help -d 'Print help'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -s V -l version -d 'Print version'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "check" -d 'Validate a pair model and report every problem with its YAML line'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "render" -d 'Compile the model into matched primary/secondary dhcpd.conf files'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "lint" -d 'Lint existing dhcpd.conf files: syntax as ISC dhcpd reads it, and failover mistakes'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "import" -d 'Reverse-compile an existing failover pair (two dhcpd.conf files) into a pair model'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "serve" -d 'Serve DHCPv4 from the model\'s pools, with durable leases (foreground; logs to stderr)'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "failover" -d 'Operate a running `dhcpfo serve` failover peer: its state, or partner-down'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "diff" -d 'Compare both peers\' live files with the rendered ones, over SSH'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "deploy" -d 'Deploy the rendered files to both peers over SSH: validate, back up, swap, restart'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "status" -d 'Show what the live pair is doing: service, failover state, pool counts, clocks'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "leases" -d 'List the leases of an ISC dhcpd.leases file, like dhcp-lease-list'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "schema" -d 'Print the JSON Schema of the pair model'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dhcpfo -n "__fish_dhcpfo_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand check" -l format -d 'Output format of the findings' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand check" -l explain -d 'Print the documentation of a rule code, e.g. DF113, and exit' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -s o -l out -d 'Folder to write `<role>/dhcpd.conf` and `<role>/isc-dhcp-server` into' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -l role -d 'Print one peer\'s dhcpd.conf to standard output instead' -r -f -a "primary\t''
secondary\t''"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -l layout -d 'File layout on each peer' -r -f -a "single\t'One self-contained dhcpd.conf per peer'
split\t'A small per-peer dhcpd.conf with the peer block that includes one shared file, byte-identical on both peers (the layout dhcpd.conf(5) recommends)'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -l templates -d 'Folder of templates that replace the built-in ones of the same name' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -l shared-path -d 'Absolute path of the shared file on the servers (split layout)' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l pair -d 'Lint a failover pair: the primary\'s and the secondary\'s dhcpd.conf, and compare them' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l select -d 'Run only these rules (codes or prefixes, comma-separated, e.g. DF3,DF201)' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l ignore -d 'Skip these rules (codes or prefixes, comma-separated)' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l explain -d 'Print the documentation of a rule and exit' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l deny-warnings -d 'Exit with status 1 on warnings too'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -l list-rules -d 'Print every rule (code, severity, name, summary) as a Markdown table and exit'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand import" -s o -l output -d 'Write the model to this file instead of standard output' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand import" -l format -d 'Output format of the findings' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -l role -d 'This server\'s role: a failover peer, or standalone (no failover)' -r -f -a "primary\t'The failover primary (its peer address is the server identifier)'
secondary\t'The failover secondary'
standalone\t'One server alone, without failover'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -s i -l interface -d 'Interface to serve on (repeat for several)' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -l leases -d 'The lease file (created if missing)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -l port -d 'UDP port to listen on' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -l control -d 'A failover peer\'s control socket, for `dhcpfo failover` (default: the lease file\'s path with `.ctl`; owner-only)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and not __fish_seen_subcommand_from state partner-down help" -s h -l help -d 'Print help'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and not __fish_seen_subcommand_from state partner-down help" -f -a "state" -d 'Show the peer\'s failover state, its partner\'s, the MCLT and the pools'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and not __fish_seen_subcommand_from state partner-down help" -f -a "partner-down" -d 'Tell the peer that its partner is down and will stay down (ISC: omshell `set local-state = 4`): after MCLT it serves the partner\'s addresses too'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and not __fish_seen_subcommand_from state partner-down help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from state" -l role -d 'The peer to ask' -r -f -a "primary\t''
secondary\t''"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from state" -l socket -d 'The control socket (default: the lease file\'s path with `.ctl`)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from state" -l leases -d 'The peer\'s lease file, as given to `dhcpfo serve --leases` (default: the model\'s `peers.ROLE.ssh.leases-path`, else /var/lib/dhcp/dhcpd.leases)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from state" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from state" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from partner-down" -l role -d 'The peer to ask' -r -f -a "primary\t''
secondary\t''"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from partner-down" -l socket -d 'The control socket (default: the lease file\'s path with `.ctl`)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from partner-down" -l leases -d 'The peer\'s lease file, as given to `dhcpfo serve --leases` (default: the model\'s `peers.ROLE.ssh.leases-path`, else /var/lib/dhcp/dhcpd.leases)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from partner-down" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from partner-down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "state" -d 'Show the peer\'s failover state, its partner\'s, the MCLT and the pools'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "partner-down" -d 'Tell the peer that its partner is down and will stay down (ISC: omshell `set local-state = 4`): after MCLT it serves the partner\'s addresses too'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l strict-host-key-checking -d 'Override `StrictHostKeyChecking` for every host: yes refuses unknown keys, accept-new adds them, no also connects despite a changed key (a revoked key is always refused)' -r -f -a "yes\t'Refuse unknown and changed keys (dhcpfo\'s default; OpenSSH\'s `ask` without a terminal)'
accept-new\t'Add unknown keys to the first user known_hosts file; refuse changed keys'
no\t'Add unknown keys and connect despite a changed key (with a warning)'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l ssh-config -d 'Read only this SSH configuration file instead of ~/.ssh/config and /etc/ssh/ssh_config (as `ssh -F`; `none` for no file)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l templates -d 'Folder of templates that replace the built-in ones of the same name (as for render)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l max-remote-size -d 'Most bytes read from a peer in one go (a live file, the lock\'s journal, a command\'s output); bytes or K, M, G' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -l accept-new-host-keys -d 'Add unknown host keys to known_hosts (changed keys are still refused): the same as --strict-host-key-checking accept-new'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l strict-host-key-checking -d 'Override `StrictHostKeyChecking` for every host: yes refuses unknown keys, accept-new adds them, no also connects despite a changed key (a revoked key is always refused)' -r -f -a "yes\t'Refuse unknown and changed keys (dhcpfo\'s default; OpenSSH\'s `ask` without a terminal)'
accept-new\t'Add unknown keys to the first user known_hosts file; refuse changed keys'
no\t'Add unknown keys and connect despite a changed key (with a warning)'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l ssh-config -d 'Read only this SSH configuration file instead of ~/.ssh/config and /etc/ssh/ssh_config (as `ssh -F`; `none` for no file)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l templates -d 'Folder of templates that replace the built-in ones of the same name (as for render)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l format -d 'Format of the final report' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l force-unlock -d 'Take over the lock with this id (shown when a lock is refused), whoever holds it: for a deploy from another machine that is known to have died' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l max-remote-size -d 'Most bytes read from a peer in one go (a live file, the lock\'s journal, a command\'s output); bytes or K, M, G' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -s y -l yes -d 'Deploy without asking for confirmation'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l dry-run -d 'Show the diff and validate on the peers; change nothing'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -l accept-new-host-keys -d 'Add unknown host keys to known_hosts (changed keys are still refused): the same as --strict-host-key-checking accept-new'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -l strict-host-key-checking -d 'Override `StrictHostKeyChecking` for every host: yes refuses unknown keys, accept-new adds them, no also connects despite a changed key (a revoked key is always refused)' -r -f -a "yes\t'Refuse unknown and changed keys (dhcpfo\'s default; OpenSSH\'s `ask` without a terminal)'
accept-new\t'Add unknown keys to the first user known_hosts file; refuse changed keys'
no\t'Add unknown keys and connect despite a changed key (with a warning)'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -l ssh-config -d 'Read only this SSH configuration file instead of ~/.ssh/config and /etc/ssh/ssh_config (as `ssh -F`; `none` for no file)' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -l max-remote-size -d 'Most bytes read from a peer in one go (the lock\'s journal, a command\'s output); the lease file is read as a stream and never held whole; bytes or K, M, G' -r
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -l accept-new-host-keys -d 'Add unknown host keys to known_hosts (changed keys are still refused): the same as --strict-host-key-checking accept-new'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand leases" -l format -d 'Output format' -r -f -a "human\t'Annotated source snippets for people'
json\t'One JSON array of findings'"
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand leases" -l oui -d 'IEEE oui.txt for manufacturer names [default: /usr/share/misc/oui.txt or /usr/share/ieee-data/oui.txt if present]' -r -F
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand leases" -l all -d 'List the last record of every address, whatever its state or end, with the state'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand leases" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand schema" -s h -l help -d 'Print help'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand completions" -s h -l help -d 'Print help'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "check" -d 'Validate a pair model and report every problem with its YAML line'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "render" -d 'Compile the model into matched primary/secondary dhcpd.conf files'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "lint" -d 'Lint existing dhcpd.conf files: syntax as ISC dhcpd reads it, and failover mistakes'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "import" -d 'Reverse-compile an existing failover pair (two dhcpd.conf files) into a pair model'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "serve" -d 'Serve DHCPv4 from the model\'s pools, with durable leases (foreground; logs to stderr)'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "failover" -d 'Operate a running `dhcpfo serve` failover peer: its state, or partner-down'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "diff" -d 'Compare both peers\' live files with the rendered ones, over SSH'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "deploy" -d 'Deploy the rendered files to both peers over SSH: validate, back up, swap, restart'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "status" -d 'Show what the live pair is doing: service, failover state, pool counts, clocks'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "leases" -d 'List the leases of an ISC dhcpd.leases file, like dhcp-lease-list'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "schema" -d 'Print the JSON Schema of the pair model'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and not __fish_seen_subcommand_from check render lint import serve failover diff deploy status leases schema completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and __fish_seen_subcommand_from failover" -f -a "state" -d 'Show the peer\'s failover state, its partner\'s, the MCLT and the pools'
complete -c dhcpfo -n "__fish_dhcpfo_using_subcommand help; and __fish_seen_subcommand_from failover" -f -a "partner-down" -d 'Tell the peer that its partner is down and will stay down (ISC: omshell `set local-state = 4`): after MCLT it serves the partner\'s addresses too'
