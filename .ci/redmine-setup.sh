#!/bin/bash
# Copied from the team's shared tools (shared/tools/redmine-setup.sh, "installs Redmine 5.0.4 from
# Debian 12's own packages ... and starts it on 127.0.0.1"), so that CI on a clean clone can run
# the defect source's integration test against a real Redmine. Keep it in step with the original.
# Install (Debian 12 packages only), seed and start a local Redmine 5.0.4 (sqlite3)
# for integration tests. Run as root. Idempotent: re-running reuses the install,
# the data and an already running server.
#
# Environment (all optional):
#   REDMINE_PORT      port on 127.0.0.1 (default 3000)
#   REDMINE_API_KEY   force the admin API key to this 40-hex value (default: random, kept)
#   REDMINE_ENV_FILE  where to write KEY=VALUE results (default $TMPDIR/redmine-it.env)
#   APT_TIMEOUT       seconds allowed for apt-get (default 900)
#   START_TIMEOUT     seconds to wait for HTTP readiness (default 90)
#
# Output (stdout, last lines) and $REDMINE_ENV_FILE:
#   REDMINE_PID=... REDMINE_URL=... REDMINE_API_KEY=... REDMINE_PROJECT_ID=...
#   REDMINE_TRACKER_ID=... REDMINE_CF_DEFECT_ORIGIN_ID=...
# Stop the server with: kill "$REDMINE_PID"
set -euo pipefail

PORT="${REDMINE_PORT:-3000}"
ENV_FILE="${REDMINE_ENV_FILE:-${TMPDIR:-/tmp}/redmine-it.env}"
APT_TIMEOUT="${APT_TIMEOUT:-900}"
START_TIMEOUT="${START_TIMEOUT:-90}"
FIXDIR=/usr/local/lib/redmine-it
FIX="$FIXDIR/debian_bundler_fix.rb"
SEED="$FIXDIR/seed.rb"
RM=/usr/share/redmine
LOCK=/var/lib/redmine/Gemfile.lock
RUNDIR=/var/cache/redmine/default/tmp      # writable by www-data, created by postinst
PIDFILE=/run/redmine-it.pid
LOG=/var/log/redmine/redmine-it-server.log
INSTALL_LOG=/var/log/redmine-it-install.log

[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
t0=$(date +%s)

# --- 1. Work around Debian bug: bookworm-security libruby3.1 3.1.7-1~deb12u2 ships
# bundler 2.3.27 without Debian's "gems from Debian packages are not deleted" patch
# (rubygems PR #5319 / Debian #1004195). Its Gem::Specification#deleted_gem? sees
# /usr/share/rubygems-integration/all/gems/<gem>-<ver> missing for old-style ruby-*
# packages (code lives in /usr/lib/ruby/vendor_ruby), so redmine's postinst
# `bundle install --local` fails with "Bundler::GemNotFound: Could not find racc-1.6.2.gem".
mkdir -p "$FIXDIR"
cat > "$FIX" <<'EOF'
module DebianRubygemsIntegrationNotDeleted
  def deleted_gem?
    return false if loaded_from.to_s.include?("/rubygems-integration/")
    super
  end
end
Gem::Specification.prepend(DebianRubygemsIntegrationNotDeleted)
EOF
chmod 0644 "$FIX"
export RUBYOPT="-r$FIX${RUBYOPT:+ $RUBYOPT}"   # inherited by apt -> dpkg -> redmine postinst

# --- 2. Install packages (sqlite backend + thin as the app server; no recommends:
# passenger/imagemagick are not needed).
export DEBIAN_FRONTEND=noninteractive
cat <<'EOF' | debconf-set-selections
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/default-language select en
EOF
need_install=0
for p in redmine redmine-sqlite thin; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || need_install=1
done
if [ "$need_install" = 1 ]; then
  ta=$(date +%s)
  timeout "$APT_TIMEOUT" dpkg --configure -a >>"$INSTALL_LOG" 2>&1 || true  # finish an earlier failed configure
  # thin must be unpacked when redmine's postinst regenerates Gemfile.lock (Gemfile does `require 'thin'`)
  timeout "$APT_TIMEOUT" apt-get install -y -q --no-install-recommends thin redmine-sqlite redmine \
    >>"$INSTALL_LOG" 2>&1 || { tail -40 "$INSTALL_LOG" >&2; echo "apt-get failed, see $INSTALL_LOG" >&2; exit 1; }
  echo "apt install took $(( $(date +%s) - ta ))s" >&2
fi

# --- 3. Gemfile.lock must exist and contain sqlite3 + thin. Any later apt transaction that
# touches ruby packages re-triggers redmine's postinst, which deletes the lock and
# (without RUBYOPT above) fails to recreate it, so check and regenerate here.
if ! { [ -s "$LOCK" ] && grep -q '^    thin ' "$LOCK" && grep -q '^    sqlite3 ' "$LOCK"; }; then
  rm -f "$LOCK"
  (
    cd "$RM"
    bundle install --local --quiet 2>&1 | grep -v -e 'as root' -e 'sudo' -e 'users on this machine' || true
  )
  [ -s "$LOCK" ] || { echo "bundle install --local failed to create $LOCK" >&2; exit 1; }
  chown www-data:www-data "$LOCK"
fi
[ -f /etc/redmine/default/database.yml ] || { echo "redmine instance 'default' not configured" >&2; exit 1; }

# --- 4. Seed: REST API on, login required, admin API key, project, custom field, issues.
cat > "$SEED" <<'EOF'
Setting.rest_api_enabled = '1'
Setting.login_required = '1'          # anonymous / bad key -> 401
admin = User.find_by_login('admin') or abort 'no admin user'
admin.update_column(:must_change_passwd, false) if admin.has_attribute?(:must_change_passwd)
key = admin.api_key
want = ENV['WANT_API_KEY'].to_s
if want =~ /\A[0-9a-f]{40}\z/ && key != want
  Token.where(user_id: admin.id, action: 'api').update_all(value: want); key = want
end
bug = Tracker.find_by_name('Bug') or abort 'no Bug tracker'
feature = Tracker.find_by_name('Feature') || bug
project = Project.find_by_identifier('ittest') ||
  Project.create!(name: 'IT test', identifier: 'ittest', is_public: false, tracker_ids: Tracker.pluck(:id))
project.enabled_module_names = (project.enabled_module_names | ['issue_tracking'])
cf = IssueCustomField.find_by_name('Defect origin') || IssueCustomField.create!(
  name: 'Defect origin', field_format: 'list', possible_values: ['Production', 'Pre-production'],
  is_filter: true, is_for_all: true, visible: true, tracker_ids: [bug.id])
cf.trackers << bug unless cf.trackers.include?(bug)
prio = IssuePriority.all.index_by(&:name)           # Low Normal High Urgent Immediate
st = IssueStatus.all.index_by(&:name)               # New In Progress Resolved Feedback Closed Rejected
utc = ->(s) { Time.utc(*s.split(/[-T:]/).map(&:to_i)) }
# subject, tracker, priority, origin, status, created_on, closed_on
[
  ['Login fails in prod',    bug,     'Urgent', 'Production',     'New',         '2026-01-15T09:00', nil],
  ['Typo on staging banner', bug,     'Low',    'Pre-production', 'New',         '2026-02-01T10:00', nil],
  ['Crash on export',        bug,     'High',   'Production',     'Closed',      '2026-02-10T08:30', '2026-02-12T17:45'],
  ['Slow dashboard',         bug,     'Normal', 'Production',     'In Progress', '2026-03-01T12:00', nil],
  ['Old prod incident',      bug,     'High',   'Production',     'Closed',      '2025-12-20T07:00', '2025-12-22T16:00'],
  ['Dark mode',              feature, 'Normal', nil,              'New',         '2026-01-20T11:00', nil],
].each do |subject, tracker, p, origin, status, created, closed|
  i = Issue.find_by(project_id: project.id, subject: subject) ||
      Issue.new(project: project, tracker: tracker, author: admin, subject: subject)
  i.priority = prio.fetch(p)
  i.custom_field_values = { cf.id.to_s => origin } if origin
  i.save! if i.new_record? || i.changed? || i.custom_field_values_changed?
  i.update_columns(status_id: st.fetch(status).id, created_on: utc.(created),
                   updated_on: utc.(closed || created), closed_on: closed && utc.(closed))
end
puts "SEED_API_KEY=#{key}"
puts "SEED_PROJECT_ID=#{project.id}"
puts "SEED_TRACKER_ID=#{bug.id}"
puts "SEED_CF_ID=#{cf.id}"
EOF
chmod 0644 "$SEED"
ts=$(date +%s)
seed_out=$(cd "$RM" && setpriv --reuid=www-data --regid=www-data --init-groups -- \
  env HOME="$RUNDIR" RAILS_ENV=production WANT_API_KEY="${REDMINE_API_KEY:-}" \
  timeout 120 bundle exec rails runner "$SEED" 2>&1) || { echo "$seed_out" >&2; exit 1; }
echo "seed took $(( $(date +%s) - ts ))s" >&2
val() { printf '%s\n' "$seed_out" | sed -n "s/^$1=//p" | tail -1; }
KEY=$(val SEED_API_KEY); PROJECT_ID=$(val SEED_PROJECT_ID)
TRACKER_ID=$(val SEED_TRACKER_ID); CF_ID=$(val SEED_CF_ID)

# --- 5. Start thin (foreground process, backgrounded) as www-data on 127.0.0.1 only.
URL="http://127.0.0.1:$PORT"
PID=""
if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null \
   && grep -q thin "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null; then
  PID=$(cat "$PIDFILE"); echo "server already running (pid $PID)" >&2
else
  if curl -s -o /dev/null --max-time 2 "$URL/"; then
    echo "port $PORT already in use by something else" >&2; exit 1
  fi
  touch "$LOG"; chown www-data:www-data "$LOG"
  cd "$RM"
  # setsid/setpriv/env exec in place, so $! is the thin (ruby) process itself
  setsid setpriv --reuid=www-data --regid=www-data --init-groups -- \
    env HOME="$RUNDIR" RAILS_ENV=production \
    bundle exec thin start -a 127.0.0.1 -p "$PORT" -e production -R config.ru \
    >>"$LOG" 2>&1 </dev/null &
  PID=$!
  echo "$PID" > "$PIDFILE"
  cd - >/dev/null
  tw=$(date +%s)
  deadline=$(( tw + START_TIMEOUT ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
           -H "X-Redmine-API-Key: $KEY" "$URL/issues.json?limit=1" || true)" = 200 ]; do
    if ! kill -0 "$PID" 2>/dev/null; then echo "server died; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "server not ready after ${START_TIMEOUT}s" >&2; kill "$PID"; exit 1; fi
    sleep 0.25
  done
  echo "server ready after $(( $(date +%s) - tw ))s" >&2
fi

cat > "$ENV_FILE" <<EOF
REDMINE_PID=$PID
REDMINE_URL=$URL
REDMINE_API_KEY=$KEY
REDMINE_PROJECT_ID=$PROJECT_ID
REDMINE_PROJECT_IDENTIFIER=ittest
REDMINE_TRACKER_ID=$TRACKER_ID
REDMINE_CF_DEFECT_ORIGIN_ID=$CF_ID
EOF
echo "total $(( $(date +%s) - t0 ))s" >&2
cat "$ENV_FILE"
