# Starts Debian's PostgreSQL cluster on 127.0.0.1:5432 and exports STATION_TEST_PG_URL
# for the tests that need a real server. Sourced by .ci/run.
start_test_postgres() {
    local version
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
        pg_createcluster "$version" main >/dev/null
    fi
    pg_ctlcluster "$version" main start 2>/dev/null || true
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && break
        sleep 1
    done
    pg_isready -h 127.0.0.1 -p 5432
    su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'station_test') THEN
    CREATE ROLE station_test LOGIN PASSWORD 'station_test' CREATEDB;
  END IF;
END $$;
SQL
    if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='station_test'\"" | grep -q 1; then
        su postgres -c "createdb -O station_test station_test"
    fi
    export STATION_TEST_PG_URL="postgresql+psycopg://station_test:station_test@127.0.0.1:5432/station_test"
}
