#!/usr/bin/env bash
# Benchmark crm-cli against DuckDB's CLI on generated exports (see docs/BENCHMARKS.md).
#
# Usage: scripts/bench.sh [ROWS ...]          default: 1000000 10000000
#
# For each size: generates shipments/invoices with `cargo run --release --example gen_exports`
# (customers = rows / 200, so 10M rows have 50,000 customers as in the issue), converts them to
# Parquet with DuckDB (typed: DATE, DECIMAL(18,2)), then times `crm-cli tier|pareto|churn|aging`
# and DuckDB running the equivalent SQL on the same files, CSV and Parquet input, alternating
# the two tools run by run after one untimed warm-up each. Prints markdown tables: median wall
# time, peak RSS, crm-cli / DuckDB ratios, the targets, and a check that both computed the same
# numbers. Every run is appended to $BENCH_DIR/runs.tsv.
#
# Idempotent: data is generated once per (seed, rows, customers) under $BENCH_DIR/data (outside
# the repository); the release build is incremental. Environment:
#   RUNS=5              timed runs per tool and case (median reported)
#   BENCHES="tier pareto churn aging"   FORMATS="csv parquet"   TOOLS="crm duckdb"
#                       FORMATS may add "messy": the shipments as a Chinese ERP writes them (GBK,
#                       CRLF, Chinese headers, 2024/1/5 dates, "￥1,234.50" money; made by
#                       `--example messify`), crm-cli only (DuckDB's CLI reads no GBK)
#   SEED=7  CUSTOMERS=<rows/200>
#   BENCH_DIR=$HOME/.cache/crm-cli/bench
#   CARGO_TARGET_DIR=$HOME/.cache/crm-cli/target-release-default   (never the shared debug target)
#   DUCK_VENV=/tmp/duck  (created with `pip install duckdb-cli` when missing)
#   SKIP_BUILD=1        use the binaries already built
#   CHECK=0             skip the result comparison
#   MEM_CAP_MIB=N       kill (and report) a run whose RSS passes N MiB (for 100M rows)
set -euo pipefail
# A failing step inside $(...) (the data generation) stops the script too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(1000000 10000000)
for s in "${SIZES[@]}"; do
    [[ $s =~ ^[0-9]+$ ]] || { echo "usage: scripts/bench.sh [ROWS ...] (got '$s')" >&2; exit 2; }
done
RUNS=${RUNS:-5}
BENCHES=${BENCHES:-"tier pareto churn aging"}
FORMATS=${FORMATS:-"csv parquet"}
TOOLS=${TOOLS:-"crm duckdb"}
SEED=${SEED:-7}
BENCH_DIR=${BENCH_DIR:-$HOME/.cache/crm-cli/bench}
DUCK_VENV=${DUCK_VENV:-/tmp/duck}
CHECK=${CHECK:-1}
MEM_CAP_MIB=${MEM_CAP_MIB:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/crm-cli/target-release-default}
export CARGO_TERM_COLOR=never
export NO_COLOR=1

# ---------------------------------------------------------------- tools
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 1; }
if [[ -z ${DUCKDB:-} ]]; then
    if [[ ! -x $DUCK_VENV/bin/pip ]]; then
        python3 -m venv "$DUCK_VENV"
    fi
    if ! compgen -G "$DUCK_VENV/lib/python3*/site-packages/duckdb_cli/duckdb" >/dev/null; then
        "$DUCK_VENV/bin/pip" install -q duckdb-cli
    fi
    # The real binary, not the pip console script (a Python wrapper that adds ~0.1 s per run).
    DUCKDB=$(compgen -G "$DUCK_VENV/lib/python3*/site-packages/duckdb_cli/duckdb" | head -n1)
fi
if [[ -z ${SKIP_BUILD:-} ]]; then
    start=$(date +%s.%N)
    cargo build --release --bin crm-cli --example gen_exports --example messify >&2
    echo "release build (incremental, $CARGO_TARGET_DIR): $(elapsed "$start") s" >&2
fi
CRM=$CARGO_TARGET_DIR/release/crm-cli
GEN=$CARGO_TARGET_DIR/release/examples/gen_exports
MESSIFY=$CARGO_TARGET_DIR/release/examples/messify
mkdir -p "$BENCH_DIR/data" "$BENCH_DIR/out" "$BENCH_DIR/sql"
RESULTS=$BENCH_DIR/runs.tsv
HEADER=$(printf 'stamp\trows\tbench\tformat\ttool\trun\twall_s\trss_kib\tcpu_s')
if [[ -s $RESULTS && $(head -n1 "$RESULTS") != "$HEADER" ]]; then mv "$RESULTS" "$RESULTS.old"; fi
[[ -s $RESULTS ]] || echo "$HEADER" >"$RESULTS"
STAMP=$(date -u +%Y-%m-%dT%H:%M:%SZ)
duck() { "$DUCKDB" -batch -no-init "$@"; }

# ---------------------------------------------------------------- data
SHIP_COLS="{'shipment_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'customer_name': 'VARCHAR',
 'ship_date': 'DATE', 'promised_date': 'DATE', 'delivered_date': 'DATE', 'origin': 'VARCHAR',
 'destination': 'VARCHAR', 'lane': 'VARCHAR', 'mode': 'VARCHAR', 'teu': 'INTEGER',
 'weight_kg': 'DOUBLE', 'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)',
 'currency': 'VARCHAR', 'status': 'VARCHAR'}"
INV_COLS="{'invoice_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'invoice_date': 'DATE',
 'due_date': 'DATE', 'amount': 'DECIMAL(18,2)', 'paid_amount': 'DECIMAL(18,2)',
 'paid_date': 'DATE', 'currency': 'VARCHAR'}"
read_csv() { # FILE COLUMNS
    echo "read_csv('$1', header = true, delim = ',', quote = '\"', escape = '\"', auto_detect = false, columns = $2)"
}

data_dir() { # ROWS → directory with shipments/invoices as CSV and Parquet
    local rows=$1 cust=${CUSTOMERS:-$(($1 / 200 > 100 ? $1 / 200 : 100))}
    local dir=$BENCH_DIR/data/s$SEED-n$rows-c$cust
    if [[ ! -e $dir/.complete ]]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        echo "generating $rows shipments, $cust customers → $dir" >&2
        local t0; t0=$(date +%s.%N)
        "$GEN" "$dir.tmp" --customers "$cust" --shipments "$rows" --seed "$SEED" >&2
        echo "  gen_exports: $(elapsed "$t0") s" >&2
        t0=$(date +%s.%N)
        duck -c "COPY (SELECT * FROM $(read_csv "$dir.tmp/shipments.csv" "$SHIP_COLS")) TO '$dir.tmp/shipments.parquet' (FORMAT parquet);
                 COPY (SELECT * FROM $(read_csv "$dir.tmp/invoices.csv" "$INV_COLS")) TO '$dir.tmp/invoices.parquet' (FORMAT parquet);" >&2
        echo "  to Parquet (DuckDB, snappy): $(elapsed "$t0") s" >&2
        touch "$dir.tmp/.complete"
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    if [[ $FORMATS == *messy* && ! -s $dir/shipments.messy ]]; then
        local t0; t0=$(date +%s.%N)
        "$MESSIFY" "$dir/shipments.csv" "$dir/shipments.messy.tmp" >&2
        mv "$dir/shipments.messy.tmp" "$dir/shipments.messy"
        echo "  messy GBK variant: $(elapsed "$t0") s" >&2
    fi
    echo "$dir"
}

# ---------------------------------------------------------------- SQL
# @SRC@ is the input relation, @OUT@ the output CSV. What each query leaves out of crm-cli's
# semantics is listed in docs/BENCHMARKS.md.
write_sql() {
cat >"$BENCH_DIR/sql/tier.sql" <<'SQL'
COPY (
WITH c AS (
    SELECT customer_id,
           any_value(customer_name) AS customer_name,
           coalesce(min(ship_date) FILTER (WHERE revenue >= 0), min(ship_date)) AS first_date,
           coalesce(max(ship_date) FILTER (WHERE revenue >= 0), max(ship_date)) AS last_date,
           max(ship_date) AS last_row,
           count(DISTINCT shipment_id) FILTER (WHERE revenue >= 0) AS frequency,
           sum(revenue) AS monetary
    FROM @SRC@
    GROUP BY customer_id
), d AS (
    SELECT *, max(last_row) OVER () - last_date AS recency_days FROM c
), s AS (
    SELECT *,
           ntile(5) OVER (ORDER BY recency_days DESC) AS r,
           ntile(5) OVER (ORDER BY frequency) AS f,
           ntile(5) OVER (ORDER BY monetary) AS m,
           row_number() OVER (ORDER BY monetary DESC, customer_id) AS pos,
           count(*) OVER () AS n,
           sum(monetary) OVER (ORDER BY monetary DESC, customer_id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum,
           sum(greatest(monetary, 0)) OVER () AS total
    FROM d
)
SELECT customer_id, customer_name, first_date, last_date, recency_days, frequency, monetary,
       r, f, m, r * 100 + f * 10 + m AS rfm,
       CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
            WHEN r = 1 AND f >= 4 AND m >= 4 THEN 'Can''t Lose Them'
            WHEN r >= 2 AND f >= 3 AND m >= 3 THEN 'Loyal Customers'
            WHEN r >= 4 AND f = 1 AND m = 1 THEN 'New Customers'
            WHEN r BETWEEN 3 AND 4 AND f = 1 AND m = 1 THEN 'Promising'
            WHEN r >= 3 AND f <= 3 AND m <= 3 THEN 'Potential Loyalist'
            WHEN r BETWEEN 2 AND 3 AND f BETWEEN 2 AND 3 AND m BETWEEN 2 AND 3 THEN 'Need Attention'
            WHEN r BETWEEN 2 AND 3 AND f <= 2 AND m <= 2 THEN 'About To Sleep'
            WHEN r <= 2 AND f >= 2 AND m >= 2 THEN 'At Risk'
            WHEN r <= 2 AND f <= 2 AND m <= 2 THEN 'Lost'
            ELSE 'Others' END AS segment,
       -- crm-cli: position ≤ ceil(pct × n / 100)
       CASE WHEN (pos - 1) * 100 < n * 1 THEN 'VIP' WHEN (pos - 1) * 100 < n * 5 THEN 'Key'
            WHEN (pos - 1) * 100 < n * 20 THEN 'General' ELSE 'Small' END AS tier,
       monetary / total AS share, cum / total AS cum_share
FROM s
ORDER BY monetary DESC, customer_id
) TO '@OUT@' (HEADER, DELIMITER ',');
SQL
cat >"$BENCH_DIR/sql/pareto.sql" <<'SQL'
COPY (
WITH c AS (
    SELECT customer_id, any_value(customer_name) AS customer_name, sum(revenue) AS value
    FROM @SRC@
    GROUP BY customer_id
), r AS (
    SELECT *,
           row_number() OVER (ORDER BY value DESC, customer_id) AS rank,
           count(*) OVER () AS n,
           sum(greatest(value, 0)) OVER () AS total,
           sum(greatest(value, 0)) OVER (ORDER BY value DESC, customer_id
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
    FROM c
)
SELECT rank, customer_id, customer_name, value,
       CASE WHEN value > 0 THEN value / total ELSE 0 END AS share,
       CASE WHEN value > 0 THEN cum / total ELSE 1 END AS cum_share,
       rank / n AS item_share,
       CASE WHEN value <= 0 THEN 'C' WHEN cum * 100 <= 80 * total THEN 'A'
            WHEN cum * 100 <= 95 * total THEN 'B' ELSE 'C' END AS class,
       value <= 0 AS nonpositive
FROM r
ORDER BY rank
) TO '@OUT@' (HEADER, DELIMITER ',');
SQL
cat >"$BENCH_DIR/sql/churn.sql" <<'SQL'
COPY (
WITH daily AS MATERIALIZED (
    -- one row per customer and ship day: the only pass over the input
    SELECT customer_id, ship_date, any_value(customer_name) AS customer_name,
           sum(revenue) AS revenue, bool_or(revenue >= 0) AS shipped
    FROM @SRC@
    GROUP BY customer_id, ship_date
), a AS (
    SELECT max(ship_date) AS as_of FROM daily
), g AS (
    SELECT customer_id, ship_date,
           ship_date - lag(ship_date) OVER (PARTITION BY customer_id ORDER BY ship_date) AS gap
    FROM daily WHERE shipped
), gs AS (
    SELECT customer_id, min(ship_date) AS first_day, max(ship_date) AS last_day,
           count(*) AS shipping_days, median(gap) AS own_gap, count(gap) AS gaps,
           arg_max(gap, ship_date) AS last_gap
    FROM g GROUP BY customer_id
), m AS (
    SELECT customer_id, any_value(customer_name) AS customer_name,
           min(ship_date) AS first_row, max(ship_date) AS last_row,
           coalesce(sum(revenue) FILTER (WHERE ship_date > as_of - 90 AND ship_date <= as_of), 0) AS revenue_recent,
           coalesce(sum(revenue) FILTER (WHERE ship_date > as_of - 180 AND ship_date <= as_of - 90), 0) AS revenue_prior,
           coalesce(sum(revenue) FILTER (WHERE ship_date > as_of - 365 AND ship_date <= as_of), 0) AS revenue_365
    FROM daily, a GROUP BY customer_id
), pop AS (
    SELECT median(own_gap) AS pop_gap FROM gs WHERE gaps >= 2
), j AS (
    SELECT m.*, coalesce(first_day, first_row) AS first_date, coalesce(last_day, last_row) AS last_date,
           coalesce(shipping_days, 0) AS shipping_days,
           CASE WHEN gaps >= 2 THEN own_gap ELSE pop_gap END AS typical_gap_days,
           CASE WHEN gaps >= 2 THEN 'own' ELSE 'population' END AS gap_source,
           as_of - coalesce(last_day, last_row) AS days_since_last,
           as_of - coalesce(first_day, first_row) AS age, last_gap
    FROM m LEFT JOIN gs USING (customer_id), a, pop
), st AS (
    SELECT *,
           CASE WHEN age <= 90 THEN 'new'
                WHEN days_since_last > 4 * typical_gap_days OR days_since_last > 365 THEN 'churned'
                WHEN days_since_last > 2 * typical_gap_days THEN 'at_risk'
                WHEN last_gap > 4 * typical_gap_days OR last_gap > 365 THEN 'reactivated'
                ELSE 'active' END AS status
    FROM j
)
SELECT customer_id, customer_name, status, first_date, last_date, shipping_days, typical_gap_days,
       gap_source, days_since_last,
       CASE WHEN typical_gap_days > 0 THEN days_since_last / typical_gap_days END AS gap_ratio,
       revenue_recent, revenue_prior,
       CASE WHEN revenue_prior > 0 THEN (revenue_recent - revenue_prior) / revenue_prior END AS change,
       revenue_prior > 0 AND revenue_recent * 100 <= 70 * revenue_prior AS declining,
       revenue_365,
       CASE WHEN status IN ('at_risk', 'churned') THEN greatest(revenue_365, 0) ELSE 0 END AS value_at_risk
FROM st
ORDER BY value_at_risk DESC, customer_id
) TO '@OUT@' (HEADER, DELIMITER ',');
SQL
cat >"$BENCH_DIR/sql/aging.sql" <<'SQL'
COPY (
WITH i AS MATERIALIZED (
    SELECT customer_id, invoice_date, due_date, amount, paid_amount, paid_date FROM @SRC@
), a AS (
    SELECT greatest(max(invoice_date), max(paid_date)) AS as_of FROM i
), x AS (
    SELECT i.*, as_of, amount - coalesce(paid_amount, 0) AS open, as_of - due_date AS past_due,
           paid_amount = amount AND amount > 0 AS closed
    FROM i, a
), c AS (
    SELECT customer_id, count(*) AS invoices, sum(amount) AS invoiced,
           sum(coalesce(paid_amount, 0)) AS paid, sum(open) AS outstanding,
           coalesce(sum(open) FILTER (WHERE past_due <= 0), 0) AS "current",
           coalesce(sum(open) FILTER (WHERE past_due BETWEEN 1 AND 30), 0) AS "1_30",
           coalesce(sum(open) FILTER (WHERE past_due BETWEEN 31 AND 60), 0) AS "31_60",
           coalesce(sum(open) FILTER (WHERE past_due BETWEEN 61 AND 90), 0) AS "61_90",
           coalesce(sum(open) FILTER (WHERE past_due > 90), 0) AS over_90,
           coalesce(sum(open) FILTER (WHERE past_due > 0), 0) AS overdue,
           avg(paid_date - invoice_date) FILTER (WHERE closed) AS avg_days_to_pay,
           avg(CASE WHEN paid_date <= due_date THEN 1 ELSE 0 END) FILTER (WHERE closed) AS on_time_rate,
           coalesce(sum(amount) FILTER (WHERE invoice_date > as_of - 365), 0) AS invoiced_period,
           coalesce(sum(amount) FILTER (WHERE invoice_date <= as_of - 365), 0)
             - coalesce(sum(paid_amount) FILTER (WHERE paid_date <= as_of - 365), 0) AS opening
    FROM x GROUP BY customer_id
)
SELECT customer_id, invoices, invoiced, paid, outstanding, "current", "1_30", "31_60", "61_90", over_90,
       CASE WHEN outstanding > 0 THEN overdue / outstanding END AS overdue_share,
       avg_days_to_pay, on_time_rate, invoiced_period,
       CASE WHEN opening + outstanding > 0 AND invoiced_period > 0
            THEN 2 * invoiced_period / (opening + outstanding) END AS receivable_turnover,
       CASE WHEN opening + outstanding > 0 AND invoiced_period > 0
            THEN 365 * (opening + outstanding) / (2 * invoiced_period) END AS dso
FROM c
ORDER BY overdue DESC, outstanding DESC, customer_id
) TO '@OUT@' (HEADER, DELIMITER ',');
SQL
}
write_sql

# sql BENCH SRC OUT → a runnable SQL file
sql_file() {
    local f=$BENCH_DIR/sql/run-$1-$4.sql
    local src=$2 out=$3
    awk -v src="$src" -v out="$out" '{ gsub(/@SRC@/, src); gsub(/@OUT@/, out); print }' \
        "$BENCH_DIR/sql/$1.sql" >"$f"
    echo "$f"
}

# ---------------------------------------------------------------- timing
# measure CMD... → prints "wall_s rss_kib cpu_s"; wall from a ns clock around /usr/bin/time -v
# (whose own "Elapsed" has only 10 ms resolution), peak RSS from its "Maximum resident set size",
# CPU = user + system time.
# With MEM_CAP_MIB set, a run whose RSS passes it is killed (polled from /proc every 0.2 s).
measure() {
    local log=$BENCH_DIR/out/time.log err=$BENCH_DIR/out/stderr.log t0 t1 pid child rss killed=0 ok=1
    t0=$(date +%s%N)
    if [[ -z $MEM_CAP_MIB ]]; then
        /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$err" || ok=0
    else
        /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$err" &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            child=""
            read -r child _ <"/proc/$pid/task/$pid/children" 2>/dev/null || true
            if [[ -n $child ]]; then
                rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)
                if ((${rss:-0} > MEM_CAP_MIB * 1024)); then
                    kill -KILL "$child" 2>/dev/null || true
                    killed=1
                fi
            fi
            sleep 0.2
        done
        wait "$pid" || ok=0
    fi
    t1=$(date +%s%N)
    if ((killed || !ok)); then
        if ((killed)); then
            echo "killed: RSS above $MEM_CAP_MIB MiB after $(((t1 - t0) / 1000000)) ms: $*" >&2
        else
            echo "failed: $*" >&2
            tail -n 5 "$err" >&2
        fi
        echo "NA NA NA"
        return 0
    fi
    awk -F': ' -v ns=$((t1 - t0)) '/Maximum resident set size/ { rss = $2 }
        /User time/ { cpu += $2 } /System time/ { cpu += $2 }
        END { printf "%.3f %s %.2f\n", ns / 1e9, rss, cpu }' "$log"
}

# set_cmd TOOL BENCH FORMAT DIR → CMD, the command line of one case
set_cmd() {
    local tool=$1 bench=$2 fmt=$3 dir=$4 input cols out src
    if [[ $bench == aging ]]; then input=invoices cols=$INV_COLS; else input=shipments cols=$SHIP_COLS; fi
    out=$BENCH_DIR/out/$tool-$bench-$fmt.csv
    CMD=()
    if [[ $fmt == messy && ($tool != crm || $input != shipments) ]]; then
        return 0 # only crm-cli, only shipments
    fi
    if [[ $tool == crm ]]; then
        # shipments.messy: GBK CSV (any name but .parquet/.xlsx is read as delimited text)
        CMD=("$CRM" "$bench" "$dir/$input.$fmt" -q -o "$out")
    else
        if [[ $fmt == csv ]]; then src=$(read_csv "$dir/$input.csv" "$cols"); else src="read_parquet('$dir/$input.parquet')"; fi
        CMD=("$DUCKDB" -batch -no-init -f "$(sql_file "$bench" "$src" "$out" "$fmt")")
    fi
}

run_case() { # ROWS BENCH FORMAT DIR
    local rows=$1 bench=$2 fmt=$3 dir=$4 tool r m
    for tool in $TOOLS; do # warm-up: page cache, binaries
        set_cmd "$tool" "$bench" "$fmt" "$dir"
        [[ ${#CMD[@]} -gt 0 ]] || continue
        measure "${CMD[@]}" >/dev/null
    done
    for ((r = 1; r <= RUNS; r++)); do
        for tool in $TOOLS; do
            set_cmd "$tool" "$bench" "$fmt" "$dir"
            [[ ${#CMD[@]} -gt 0 ]] || continue
            m=$(measure "${CMD[@]}")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$STAMP" "$rows" "$bench" "$fmt" "$tool" "$r" \
                "${m// /$'\t'}" >>"$RESULTS"
            echo "  $rows $bench $fmt $tool run $r: $m" >&2
        done
    done
}

# ---------------------------------------------------------------- checks
# crm-cli and DuckDB outputs of the last CSV run, joined by customer: rows where they differ.
check() { # BENCH
    local c=$BENCH_DIR/out/crm-$1-csv.csv d=$BENCH_DIR/out/duckdb-$1-csv.csv q
    [[ -s $c && -s $d ]] || return 0
    local rc="read_csv('$c', all_varchar = true)" rd="read_csv('$d', all_varchar = true)"
    case $1 in
    tier) q="count(*) FILTER (WHERE c.monetary::DECIMAL(38,2) <> d.monetary::DECIMAL(38,2)) AS monetary,
             count(*) FILTER (WHERE c.frequency <> d.frequency) AS frequency,
             count(*) FILTER (WHERE c.last_date <> d.last_date) AS last_date,
             count(*) FILTER (WHERE c.recency_days <> d.recency_days) AS recency,
             count(*) FILTER (WHERE c.tier <> d.tier) AS tier,
             count(*) FILTER (WHERE c.m <> d.m) AS m_score_ntile_vs_percentile" ;;
    pareto) q="count(*) FILTER (WHERE c.value::DECIMAL(38,2) <> d.value::DECIMAL(38,2)) AS value,
             count(*) FILTER (WHERE c.rank <> d.rank) AS rank,
             count(*) FILTER (WHERE c.class <> d.class) AS class" ;;
    churn) q="count(*) FILTER (WHERE c.shipping_days <> d.shipping_days) AS shipping_days,
             count(*) FILTER (WHERE c.typical_gap_days::DOUBLE <> d.typical_gap_days::DOUBLE) AS typical_gap,
             count(*) FILTER (WHERE c.status <> d.status) AS status,
             count(*) FILTER (WHERE c.revenue_365::DECIMAL(38,2) <> d.revenue_365::DECIMAL(38,2)) AS revenue_365,
             count(*) FILTER (WHERE c.declining <> d.declining) AS declining" ;;
    aging) q="count(*) FILTER (WHERE c.outstanding::DECIMAL(38,2) <> d.outstanding::DECIMAL(38,2)) AS outstanding,
             count(*) FILTER (WHERE c.over_90::DECIMAL(38,2) <> d.over_90::DECIMAL(38,2)) AS over_90,
             count(*) FILTER (WHERE c.\"1_30\"::DECIMAL(38,2) <> d.\"1_30\"::DECIMAL(38,2)) AS b1_30,
             count(*) FILTER (WHERE abs(c.avg_days_to_pay::DOUBLE - d.avg_days_to_pay::DOUBLE) > 1e-9) AS days_to_pay,
             count(*) FILTER (WHERE abs(c.dso::DOUBLE - d.dso::DOUBLE) > 1e-6 * abs(d.dso::DOUBLE)) AS dso" ;;
    esac
    echo "#### check $1: customers where crm-cli and DuckDB differ"
    echo
    duck -markdown -c "SELECT (SELECT count(*) FROM $rc) AS crm_rows, (SELECT count(*) FROM $rd) AS duckdb_rows,
                              count(*) AS joined, $q
                       FROM $rc c JOIN $rd d USING (customer_id)"
    echo
}

# ---------------------------------------------------------------- run
echo "## crm-cli vs DuckDB — $STAMP"
echo
echo "- machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $("$CRM" --version), $(rustc --version), DuckDB $(duck -list -noheader -c 'PRAGMA version' | head -n1 | tr '|' ' ')"
echo "- $RUNS timed runs per case (after 1 warm-up), alternating tools; median wall time and CPU (user + sys) time; peak RSS = max over runs"
echo
for rows in "${SIZES[@]}"; do
    dir=$(data_dir "$rows")
    echo "- $rows rows: $dir: $(cd "$dir" && ls -l shipments.csv shipments.parquet invoices.csv invoices.parquet | awk '{ printf "%s %.0f MB; ", $NF, $5 / 1e6 }')"
    # One pass over the file, the floor for any CSV reader.
    wcs=()
    for ((r = 1; r <= RUNS; r++)); do
        m=$(measure wc -l "$dir/shipments.csv")
        wcs+=("${m%% *}")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$STAMP" "$rows" wc csv wc "$r" "${m// /$'\t'}" >>"$RESULTS"
    done
    echo "  (\`wc -l shipments.csv\`: median $(printf '%s\n' "${wcs[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') s)"
    for bench in $BENCHES; do
        for fmt in $FORMATS; do
            run_case "$rows" "$bench" "$fmt" "$dir"
        done
    done
    if [[ $CHECK == 1 && $FORMATS == *csv* && $TOOLS == *crm* && $TOOLS == *duckdb* ]]; then
        echo
        for bench in $BENCHES; do check "$bench"; done
    fi
done
echo "- load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---------------------------------------------------------------- tables
R="read_csv('$RESULTS', delim = '\t', header = true, columns = {'stamp': 'VARCHAR', 'rows': 'BIGINT',
   'bench': 'VARCHAR', 'format': 'VARCHAR', 'tool': 'VARCHAR', 'run': 'INTEGER', 'wall_s': 'DOUBLE',
   'rss_kib': 'BIGINT', 'cpu_s': 'DOUBLE'}, nullstr = 'NA')"
duck -markdown -c "
CREATE TEMP TABLE s AS
SELECT rows, bench, format, tool, median(wall_s) AS med, max(rss_kib) / 1024 AS rss_mib,
       median(cpu_s) AS cpu,
       string_agg(coalesce(printf('%.2f', wall_s), 'NA'), ' ' ORDER BY run) AS runs, count(*) - count(wall_s) AS failed
FROM $R WHERE stamp = '$STAMP' AND tool <> 'wc' GROUP BY ALL;
SELECT c.rows, c.bench AS command, c.format AS input,
       printf('%.2f', c.med) AS \"crm-cli s\", c.runs AS \"crm-cli runs\", printf('%.1f', c.cpu) AS \"crm-cli CPU s\",
       printf('%.0f', c.rss_mib) AS \"crm-cli MiB\",
       printf('%.2f', d.med) AS \"DuckDB s\", d.runs AS \"DuckDB runs\", printf('%.1f', d.cpu) AS \"DuckDB CPU s\",
       printf('%.0f', d.rss_mib) AS \"DuckDB MiB\",
       printf('%.2f', c.med / d.med) AS \"time ratio\", printf('%.2f', c.rss_mib / d.rss_mib) AS \"RSS ratio\"
FROM s c LEFT JOIN s d ON d.tool = 'duckdb' AND (d.rows, d.bench, d.format) = (c.rows, c.bench, c.format)
WHERE c.tool = 'crm'
ORDER BY c.rows, list_position(['tier', 'pareto', 'churn', 'aging'], c.bench),
         list_position(['csv', 'parquet', 'messy'], c.format);
"
echo
echo "Targets (largest size; scaling against the size 10× smaller when it was run):"
echo
duck -markdown -c "
CREATE TEMP TABLE s AS
SELECT rows, bench, format, tool, median(wall_s) AS med, max(rss_kib) / 1024 AS rss_mib
FROM $R WHERE stamp = '$STAMP' AND tool <> 'wc' GROUP BY ALL;
CREATE TEMP TABLE t (target VARCHAR, goal VARCHAR, measured DOUBLE, ok BOOLEAN);
INSERT INTO t
SELECT 'tier CSV: crm-cli / DuckDB time', '≤ 0.75', c.med / d.med, c.med / d.med <= 0.75
FROM s c, s d WHERE c.rows = (SELECT max(rows) FROM s) AND c.bench = 'tier' AND c.format = 'csv' AND c.tool = 'crm'
  AND (d.rows, d.bench, d.format, d.tool) = (c.rows, 'tier', 'csv', 'duckdb');
INSERT INTO t
SELECT 'tier CSV: crm-cli peak RSS MiB', '≤ 400', rss_mib, rss_mib <= 400
FROM s WHERE rows = (SELECT max(rows) FROM s) AND bench = 'tier' AND format = 'csv' AND tool = 'crm';
INSERT INTO t
SELECT c.bench || ' CSV: crm-cli / DuckDB time', '≤ 1.0', c.med / d.med, c.med / d.med <= 1.0
FROM s c JOIN s d ON (d.rows, d.bench, d.format, d.tool) = (c.rows, c.bench, c.format, 'duckdb')
WHERE c.rows = (SELECT max(rows) FROM s) AND c.bench IN ('pareto', 'churn') AND c.format = 'csv' AND c.tool = 'crm';
INSERT INTO t
SELECT c.bench || ': crm-cli CSV time / Parquet time', '≥ 3', c.med / p.med, c.med / p.med >= 3
FROM s c JOIN s p ON (p.rows, p.bench, p.format, p.tool) = (c.rows, c.bench, 'parquet', 'crm')
WHERE c.rows = (SELECT max(rows) FROM s) AND c.format = 'csv' AND c.tool = 'crm';
INSERT INTO t
SELECT b.bench || ' ' || b.format || ': crm-cli time(' || b.rows || ') / time(' || a.rows || ')', '≤ 11',
       b.med / a.med, b.med / a.med <= 11
FROM s b JOIN s a ON (a.bench, a.format, a.tool) = (b.bench, b.format, 'crm') AND a.rows * 10 = b.rows
WHERE b.rows = (SELECT max(rows) FROM s) AND b.tool = 'crm';
SELECT target, goal, printf('%.2f', measured) AS measured, CASE WHEN ok THEN 'met' ELSE 'MISSED' END AS result FROM t ORDER BY rowid;
"
