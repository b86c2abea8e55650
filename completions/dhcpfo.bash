_dhcpfo() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="dhcpfo"
                ;;
            dhcpfo,check)
                cmd="dhcpfo__subcmd__check"
                ;;
            dhcpfo,completions)
                cmd="dhcpfo__subcmd__completions"
                ;;
            dhcpfo,deploy)
                cmd="dhcpfo__subcmd__deploy"
                ;;
            dhcpfo,diff)
                cmd="dhcpfo__subcmd__diff"
                ;;
            dhcpfo,explain)
                cmd="dhcpfo__subcmd__explain"
                ;;
            dhcpfo,failover)
                cmd="dhcpfo__subcmd__failover"
                ;;
            dhcpfo,help)
                cmd="dhcpfo__subcmd__help"
                ;;
            dhcpfo,import)
                cmd="dhcpfo__subcmd__import"
                ;;
            dhcpfo,leases)
                cmd="dhcpfo__subcmd__leases"
                ;;
            dhcpfo,lint)
                cmd="dhcpfo__subcmd__lint"
                ;;
            dhcpfo,render)
                cmd="dhcpfo__subcmd__render"
                ;;
            dhcpfo,rules)
                cmd="dhcpfo__subcmd__rules"
                ;;
            dhcpfo,schema)
                cmd="dhcpfo__subcmd__schema"
                ;;
            dhcpfo,serve)
                cmd="dhcpfo__subcmd__serve"
                ;;
            dhcpfo,status)
                cmd="dhcpfo__subcmd__status"
                ;;
            dhcpfo__subcmd__failover,help)
                cmd="dhcpfo__subcmd__failover__subcmd__help"
                ;;
            dhcpfo__subcmd__failover,partner-down)
                cmd="dhcpfo__subcmd__failover__subcmd__partner__subcmd__down"
                ;;
            dhcpfo__subcmd__failover,state)
                cmd="dhcpfo__subcmd__failover__subcmd__state"
                ;;
            dhcpfo__subcmd__failover__subcmd__help,help)
                cmd="dhcpfo__subcmd__failover__subcmd__help__subcmd__help"
                ;;
            dhcpfo__subcmd__failover__subcmd__help,partner-down)
                cmd="dhcpfo__subcmd__failover__subcmd__help__subcmd__partner__subcmd__down"
                ;;
            dhcpfo__subcmd__failover__subcmd__help,state)
                cmd="dhcpfo__subcmd__failover__subcmd__help__subcmd__state"
                ;;
            dhcpfo__subcmd__help,check)
                cmd="dhcpfo__subcmd__help__subcmd__check"
                ;;
            dhcpfo__subcmd__help,completions)
                cmd="dhcpfo__subcmd__help__subcmd__completions"
                ;;
            dhcpfo__subcmd__help,deploy)
                cmd="dhcpfo__subcmd__help__subcmd__deploy"
                ;;
            dhcpfo__subcmd__help,diff)
                cmd="dhcpfo__subcmd__help__subcmd__diff"
                ;;
            dhcpfo__subcmd__help,explain)
                cmd="dhcpfo__subcmd__help__subcmd__explain"
                ;;
            dhcpfo__subcmd__help,failover)
                cmd="dhcpfo__subcmd__help__subcmd__failover"
                ;;
            dhcpfo__subcmd__help,help)
                cmd="dhcpfo__subcmd__help__subcmd__help"
                ;;
            dhcpfo__subcmd__help,import)
                cmd="dhcpfo__subcmd__help__subcmd__import"
                ;;
            dhcpfo__subcmd__help,leases)
                cmd="dhcpfo__subcmd__help__subcmd__leases"
                ;;
            dhcpfo__subcmd__help,lint)
                cmd="dhcpfo__subcmd__help__subcmd__lint"
                ;;
            dhcpfo__subcmd__help,render)
                cmd="dhcpfo__subcmd__help__subcmd__render"
                ;;
            dhcpfo__subcmd__help,rules)
                cmd="dhcpfo__subcmd__help__subcmd__rules"
                ;;
            dhcpfo__subcmd__help,schema)
                cmd="dhcpfo__subcmd__help__subcmd__schema"
                ;;
            dhcpfo__subcmd__help,serve)
                cmd="dhcpfo__subcmd__help__subcmd__serve"
                ;;
            dhcpfo__subcmd__help,status)
                cmd="dhcpfo__subcmd__help__subcmd__status"
                ;;
            dhcpfo__subcmd__help__subcmd__failover,partner-down)
                cmd="dhcpfo__subcmd__help__subcmd__failover__subcmd__partner__subcmd__down"
                ;;
            dhcpfo__subcmd__help__subcmd__failover,state)
                cmd="dhcpfo__subcmd__help__subcmd__failover__subcmd__state"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        dhcpfo)
            opts="-h -V --help --version check render lint import serve failover diff deploy status leases explain rules schema completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__check)
            opts="-h --format --list-rules --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "human json sarif github concise" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__completions)
            opts="-h --explain --help bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__deploy)
            opts="-y -h --accept-new-host-keys --strict-host-key-checking --ssh-config --layout --shared-path --max-remote-size --yes --dry-run --templates --format --force-unlock --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --strict-host-key-checking)
                    COMPREPLY=($(compgen -W "yes accept-new no" -- "${cur}"))
                    return 0
                    ;;
                --ssh-config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --layout)
                    COMPREPLY=($(compgen -W "single split" -- "${cur}"))
                    return 0
                    ;;
                --shared-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-remote-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --templates)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --force-unlock)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__diff)
            opts="-h --accept-new-host-keys --strict-host-key-checking --ssh-config --layout --shared-path --max-remote-size --format --templates --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --strict-host-key-checking)
                    COMPREPLY=($(compgen -W "yes accept-new no" -- "${cur}"))
                    return 0
                    ;;
                --ssh-config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --layout)
                    COMPREPLY=($(compgen -W "single split" -- "${cur}"))
                    return 0
                    ;;
                --shared-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-remote-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --templates)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__explain)
            opts="-h --format --help DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover)
            opts="-h --explain --help state partner-down help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__help)
            opts="state partner-down help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__help__subcmd__partner__subcmd__down)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__help__subcmd__state)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__partner__subcmd__down)
            opts="-h --role --socket --leases --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --role)
                    COMPREPLY=($(compgen -W "primary secondary" -- "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --leases)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__failover__subcmd__state)
            opts="-h --role --socket --leases --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --role)
                    COMPREPLY=($(compgen -W "primary secondary" -- "${cur}"))
                    return 0
                    ;;
                --socket)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --leases)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help)
            opts="check render lint import serve failover diff deploy status leases explain rules schema completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__check)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__deploy)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__diff)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__explain)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__failover)
            opts="state partner-down"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__failover__subcmd__partner__subcmd__down)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__failover__subcmd__state)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__import)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__leases)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__lint)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__render)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__rules)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__schema)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__serve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__import)
            opts="-o -h --output --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__leases)
            opts="-h --all --format --oui --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --oui)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__lint)
            opts="-h --pair --format --select --ignore --deny-warnings --list-rules --root --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --pair)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json sarif github concise" -- "${cur}"))
                    return 0
                    ;;
                --select)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ignore)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__render)
            opts="-o -h --out --role --templates --layout --shared-path --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --out)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --role)
                    COMPREPLY=($(compgen -W "primary secondary" -- "${cur}"))
                    return 0
                    ;;
                --templates)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --layout)
                    COMPREPLY=($(compgen -W "single split" -- "${cur}"))
                    return 0
                    ;;
                --shared-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__rules)
            opts="-h --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__schema)
            opts="-h --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__serve)
            opts="-i -h --role --interface --leases --port --control --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --role)
                    COMPREPLY=($(compgen -W "primary secondary standalone" -- "${cur}"))
                    return 0
                    ;;
                --interface)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -i)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --leases)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --port)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --control)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        dhcpfo__subcmd__status)
            opts="-h --accept-new-host-keys --strict-host-key-checking --ssh-config --layout --shared-path --max-remote-size --format --explain --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --strict-host-key-checking)
                    COMPREPLY=($(compgen -W "yes accept-new no" -- "${cur}"))
                    return 0
                    ;;
                --ssh-config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --layout)
                    COMPREPLY=($(compgen -W "single split" -- "${cur}"))
                    return 0
                    ;;
                --shared-path)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-remote-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -W "human json" -- "${cur}"))
                    return 0
                    ;;
                --explain)
                    COMPREPLY=($(compgen -W "DF001 DF002 DF003 DF004 DF005 DF010 DF011 DF012 DF013 DF014 DF015 DF020 DF021 DF030 DF031 DF032 DF033 DF034 DF035 DF100 DF101 DF102 DF103 DF104 DF110 DF111 DF112 DF113 DF114 DF115 DF116 DF117 DF118 DF119 DF120 DF121 DF122 DF123 DF124 DF125 DF126 DF130 DF131 DF132 DF133 DF134 DF135 DF136 DF137 DF138 DF139 DF140 DF141 DF142 DF143 DF144 DF145 DF150 DF151 DF160 DF161 DF162 DF163 DF164 DF165 DF166 DF167 DF168 DF169 DF176 DF177 DF200 DF201 DF202 DF203 DF204 DF205 DF206 DF207 DF208 DF209 DF210 DF211 DF212 DF213 DF214 DF215 DF216 DF217 DF218 DF219 DF220 DF221 DF222 DF223 DF224 DF225 DF226 DF227 DF228 DF229 DF230 DF231 DF232 DF233 DF300 DF301 DF302 DF303 DF304 DF305 DF306 DF307 DF308 DF309 DF310 DF311 DF312 DF313 DF314 DF315 DF316 DF317 DF318 DF319 DF320 DF321 DF322 DF323 DF324 DF325 DF326 DF327 DF328 DF329 DF330 DF400 DF401 DF402 DF403 DF404 DF410 DF411 DF412 DF413 DF414 DF415 DF416 DF420 DF421 DF422 DF423 DF424 DF490 DF491 DF492 DF493 DF494 DF495 DF496 DF501 DF502 DF503 DF504 DF505 DF506 DF507 DF508 DF509 DF520 DF521 DF522 DF523 DF524 DF525 DF526 DF527 DF528 DF529 DF530 DF531 DF550" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _dhcpfo -o nosort -o bashdefault -o default dhcpfo
else
    complete -F _dhcpfo -o bashdefault -o default dhcpfo
fi
