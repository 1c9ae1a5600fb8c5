#!/usr/bin/env bash
# Local MediaWiki for wikilint's live tests and for trying the bot safely.
#
#   scripts/mediawiki.sh install   # apt-get the packages if missing, install the wiki (idempotent)
#   scripts/mediawiki.sh start     # install if needed, serve on 127.0.0.1:$PORT in the background
#   scripts/mediawiki.sh stop      # stop the server started by `start`
#   scripts/mediawiki.sh status    # exit 0 when the API answers
#   scripts/mediawiki.sh env       # print shell exports for the tests: eval "$(scripts/mediawiki.sh env)"
#   scripts/mediawiki.sh settings  # rewrite LocalSettings.wikilint.php of an existing install
#   scripts/mediawiki.sh readonly on [REASON] | off   # $wgReadOnly, for tests (expires by itself)
#   scripts/mediawiki.sh reset     # stop and delete the state dir
#
# State (database, LocalSettings.php, credentials, log, pidfile) lives in $WIKILINT_WIKI_DIR
# (default /tmp/wikilint-wiki); /usr/share/mediawiki is used read-only through MW_INSTALL_PATH and
# MW_CONFIG_FILE. Credentials are written to $DIR/credentials.json with mode 600, never to the repo.
# The wiki talks to nothing but 127.0.0.1: no InstantCommons, no pingback, no remote blacklists.
set -euo pipefail

DIR="${WIKILINT_WIKI_DIR:-/tmp/wikilint-wiki}"
PORT="${WIKILINT_WIKI_PORT:-8089}"
HOST=127.0.0.1
MW="${WIKILINT_MW_PATH:-/usr/share/mediawiki}"
URL="http://$HOST:$PORT"
BOT_USER=WikilintBot
BOT_APP=wikilint
HUMAN_USER=HumanEditor
ADMIN_USER=WikiAdmin
PACKAGES=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml)

log() { printf 'mediawiki.sh: %s\n' "$*" >&2; }

mwphp() {
    # Run a maintenance script against our state dir's config without touching /usr/share.
    MW_INSTALL_PATH="$MW" MW_CONFIG_FILE="$DIR/LocalSettings.php" WIKILINT_WIKI_PORT="$PORT" \
        php "$MW/maintenance/$1" "${@:2}"
}

randpw() { tr -dc 'a-z0-9' </dev/urandom | head -c "${1:-24}" || true; }

ensure_packages() {
    local missing=()
    [ -f "$MW/maintenance/install.php" ] || missing+=(mediawiki)
    command -v php >/dev/null || missing+=(php-cli)
    if command -v php >/dev/null; then
        local mods
        mods="$(php -m)"
        grep -qi '^pdo_sqlite$' <<<"$mods" || missing+=(php-sqlite3)
        grep -qi '^intl$' <<<"$mods" || missing+=(php-intl)
        grep -qi '^mbstring$' <<<"$mods" || missing+=(php-mbstring)
        grep -qi '^xml$' <<<"$mods" || missing+=(php-xml)
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${PACKAGES[*]} (missing: ${missing[*]})"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        # A fresh machine may still be running its own apt jobs: wait for the dpkg lock (up to
        # APT_LOCK_TIMEOUT seconds) instead of failing at once.
        local wait=(-o "DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT:-600}")
        $sudo apt-get "${wait[@]}" update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq --no-install-recommends \
            "${PACKAGES[@]}" >/dev/null
    fi
}

write_extra_settings() {
    # Included by the installer's LocalSettings.php: everything local, deterministic and fast.
    # Written to a temporary file and renamed: the running server never reads half of it.
    cat >"$DIR/LocalSettings.wikilint.php.tmp" <<'PHP'
<?php
// Port comes from the environment so one install can serve on any port.
$wgServer = 'http://127.0.0.1:' . ( getenv( 'WIKILINT_WIKI_PORT' ) ?: '8089' );
$wgCanonicalServer = $wgServer;
// Sessions must survive across php -S requests: keep them in SQLite, not APCu.
$wgMainCacheType = CACHE_DB;
$wgSessionCacheType = CACHE_DB;
$wgParserCacheType = CACHE_DB;
// A single-worker php -S cannot serve the async job-runner request it would make to itself.
$wgJobRunRate = 0;
$wgRunJobsAsync = false;
// Nothing leaves 127.0.0.1.
$wgUseInstantCommons = false;
$wgPingback = false;
$wgEnableEmail = false;
$wgEnableUploads = false;
$wgAllowExternalImages = false;
// Tests edit quickly from fresh accounts.
$wgRateLimits = [];
$wgPasswordAttemptThrottle = false;
$wgAccountCreationThrottle = 0;
$wgAutoConfirmAge = 0;
$wgAutoConfirmCount = 0;
$wgEnableBotPasswords = true;
$wgShowExceptionDetails = true;
// Spam blacklist from the local MediaWiki:Spam-blacklist page only (no fetch from meta).
wfLoadExtension( 'SpamBlacklist' );
$wgBlacklistSettings = [ 'spam' => [ 'files' => [] ], 'email' => [ 'files' => [] ] ];
$wgLogSpamBlacklistHits = false;
// Read-only switch for tests: `scripts/mediawiki.sh readonly on` writes this file (its text is
// the reason). A switch older than ten minutes is ignored, so a killed test cannot leave the
// shared wiki read-only.
$wikilintReadOnlyFile = __DIR__ . '/readonly';
if ( is_file( $wikilintReadOnlyFile ) && filemtime( $wikilintReadOnlyFile ) > time() - 600 ) {
    $wgReadOnly = trim( (string)file_get_contents( $wikilintReadOnlyFile ) )
        ?: 'read-only for a wikilint test';
}
PHP
    mv "$DIR/LocalSettings.wikilint.php.tmp" "$DIR/LocalSettings.wikilint.php"
}

do_readonly() {
    case "${1:-}" in
        on) printf '%s\n' "${2:-read-only for a wikilint test}" >"$DIR/readonly.tmp"
            mv "$DIR/readonly.tmp" "$DIR/readonly" ;;
        off) rm -f "$DIR/readonly" ;;
        *) echo "usage: $0 readonly on [REASON] | off" >&2; exit 2 ;;
    esac
}

is_installed() { [ -f "$DIR/LocalSettings.php" ] && [ -f "$DIR/credentials.json" ]; }

do_install() {
    ensure_packages
    if is_installed; then
        return 0
    fi
    log "installing MediaWiki into $DIR"
    rm -rf "$DIR"
    mkdir -p "$DIR/data" "$DIR/cache" "$DIR/images"
    chmod 700 "$DIR"
    local admin_pw human_pw
    admin_pw="$(randpw 24)"
    human_pw="$(randpw 24)"
    local passfile="$DIR/.adminpass"
    (umask 077 && printf '%s' "$admin_pw" >"$passfile")
    (cd "$MW" && MW_INSTALL_PATH="$MW" MW_CONFIG_FILE="$DIR/LocalSettings.php" \
        php maintenance/install.php --quiet --dbtype=sqlite --dbpath="$DIR/data" \
        --dbname=wikilint --confpath="$DIR" --server="$URL" --scriptpath="" \
        --passfile="$passfile" --skins=Vector WikilintTest "$ADMIN_USER" >"$DIR/install.log" 2>&1) || {
        cat "$DIR/install.log" >&2
        exit 1
    }
    rm -f "$passfile"
    write_extra_settings
    {
        echo "\$wgCacheDirectory = '$DIR/cache';"
        echo "\$wgUploadDirectory = '$DIR/images';"
        echo "require_once __DIR__ . '/LocalSettings.wikilint.php';"
    } >>"$DIR/LocalSettings.php"

    mwphp createAndPromote.php --bot "$BOT_USER" "$(randpw 24)" >/dev/null
    mwphp createAndPromote.php "$HUMAN_USER" "$human_pw" >/dev/null
    local grants="basic,highvolume,editpage,editprotected,createeditmovepage,delete,protect"
    local out bot_pw human_bp admin_bp
    # Let the script generate the bot password: only 32+ chars of [0-9a-w] are accepted.
    out="$(mwphp createBotPassword.php --appid="$BOT_APP" --grants="$grants" "$BOT_USER")"
    bot_pw="$(sed -n "s/.*password:'\([0-9a-w]*\)'.*/\1/p" <<<"$out")"
    out="$(mwphp createBotPassword.php --appid=tests --grants=basic,editpage,createeditmovepage "$HUMAN_USER")"
    human_bp="$(sed -n "s/.*password:'\([0-9a-w]*\)'.*/\1/p" <<<"$out")"
    out="$(mwphp createBotPassword.php --appid=tests --grants="$grants" "$ADMIN_USER")"
    admin_bp="$(sed -n "s/.*password:'\([0-9a-w]*\)'.*/\1/p" <<<"$out")"
    if [ -z "$bot_pw" ] || [ -z "$human_bp" ] || [ -z "$admin_bp" ]; then
        log "could not read a generated bot password: $out"
        exit 1
    fi
    (umask 077 && cat >"$DIR/credentials.json" <<JSON
{
  "api": "$URL/api.php",
  "bot": {"user": "$BOT_USER", "botpassword_app": "$BOT_APP", "botpassword": "$bot_pw",
          "login": "$BOT_USER@$BOT_APP"},
  "human": {"user": "$HUMAN_USER", "password": "$human_pw", "login": "$HUMAN_USER@tests",
            "botpassword": "$human_bp"},
  "sysop": {"user": "$ADMIN_USER", "password": "$admin_pw", "login": "$ADMIN_USER@tests",
            "botpassword": "$admin_bp"}
}
JSON
    )
    chmod 600 "$DIR/credentials.json"
    write_pywikibot_dir "$bot_pw"
    # A local spam blacklist entry, so tests can hit the blacklist without any network.
    printf '%s\n' 'spam-test\.example' | mwphp edit.php -q -u "$ADMIN_USER" -s "test blacklist" \
        'MediaWiki:Spam-blacklist' >/dev/null
    log "installed; credentials in $DIR/credentials.json"
}

write_pywikibot_dir() {
    # A ready PYWIKIBOT_DIR for trying wikilint by hand against this wiki (tests make their own).
    mkdir -p "$DIR/pywikibot"
    cat >"$DIR/pywikibot/user-config.py" <<PY
# generated by scripts/mediawiki.sh for the local test wiki
family_files['localwiki'] = '$URL/api.php'
family = 'localwiki'
mylang = 'localwiki'
usernames['localwiki']['*'] = '$BOT_USER'
password_file = 'passwords'
solve_captcha = False
put_throttle = 0
PY
    (umask 077 && printf "('%s', BotPassword('%s', '%s'))\n" "$BOT_USER" "$BOT_APP" "$1" \
        >"$DIR/pywikibot/passwords")
    chmod 600 "$DIR/pywikibot/passwords"
}

pid_alive() { [ -f "$DIR/server.pid" ] && kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; }

api_ok() {
    # The server's own port: curl would need another package, so use php itself.
    php -r '$c = @file_get_contents($argv[1], false, stream_context_create(["http" => ["timeout" => 3]]));
            exit($c !== false && strpos($c, "\"sitename\"") !== false ? 0 : 1);' \
        "$URL/api.php?action=query&meta=siteinfo&format=json" 2>/dev/null
}

do_start() {
    do_install
    write_extra_settings  # an older install gets the current settings (the read-only switch)
    if pid_alive && api_ok; then
        return 0
    fi
    if api_ok; then
        log "something else already answers on $URL; set WIKILINT_WIKI_PORT"
        exit 1
    fi
    (
        cd "$MW"
        MW_INSTALL_PATH="$MW" MW_CONFIG_FILE="$DIR/LocalSettings.php" WIKILINT_WIKI_PORT="$PORT" \
            nohup php -d opcache.enable_cli=1 -S "$HOST:$PORT" -t "$MW" >>"$DIR/server.log" 2>&1 &
        echo $! >"$DIR/server.pid"
    )
    local i
    for i in $(seq 1 100); do
        if api_ok; then
            return 0
        fi
        pid_alive || break
        sleep 0.1
    done
    log "server did not come up; see $DIR/server.log"
    tail -20 "$DIR/server.log" >&2 || true
    exit 1
}

do_stop() {
    if pid_alive; then
        kill "$(cat "$DIR/server.pid")" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            pid_alive || break
            sleep 0.1
        done
    fi
    rm -f "$DIR/server.pid"
}

do_env() {
    echo "export WIKILINT_WIKI_URL='$URL'"
    echo "export WIKILINT_WIKI_API='$URL/api.php'"
    echo "export WIKILINT_WIKI_DIR='$DIR'"
    echo "export WIKILINT_WIKI_CREDENTIALS='$DIR/credentials.json'"
    echo "export PYWIKIBOT_DIR='$DIR/pywikibot'"
}

case "${1:-}" in
    install) do_install ;;
    start) do_start ;;
    stop) do_stop ;;
    restart) do_stop; do_start ;;
    status)
        if api_ok; then echo "running at $URL"; else echo "not running at $URL"; exit 1; fi ;;
    env) do_env ;;
    settings) is_installed || { log "not installed: run $0 install"; exit 1; }; write_extra_settings ;;
    readonly) do_readonly "${@:2}" ;;
    reset) do_stop; rm -rf "$DIR" ;;
    *) echo "usage: $0 install|start|stop|restart|status|env|settings|readonly|reset" >&2; exit 2 ;;
esac
