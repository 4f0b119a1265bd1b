#!/usr/bin/env bash
# Writes testdata/typed/{shipments,invoices}.parquet: the typed Parquet twins of
# testdata/shipments.csv and testdata/invoices.csv (DATE, DECIMAL(12,2), INTEGER, DOUBLE, VARCHAR),
# as an ERP or a DuckDB/Spark pipeline writes them. Needs DuckDB's CLI (pip install duckdb-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
DUCKDB=${DUCKDB:-duckdb}
mkdir -p testdata/typed
"$DUCKDB" -batch -no-init -c "
COPY (SELECT shipment_id, customer_id, customer_name, ship_date, promised_date, delivered_date,
             origin, destination, lane, mode, CAST(teu AS INTEGER) AS teu, weight_kg,
             CAST(revenue AS DECIMAL(12,2)) AS revenue, CAST(cost AS DECIMAL(12,2)) AS cost,
             currency, status
      FROM read_csv('testdata/shipments.csv', all_varchar = false,
                    types = {'revenue': 'VARCHAR', 'cost': 'VARCHAR'}))
  TO 'testdata/typed/shipments.parquet' (FORMAT parquet);
COPY (SELECT invoice_id, customer_id, invoice_date, due_date,
             CAST(amount AS DECIMAL(12,2)) AS amount, CAST(paid_amount AS DECIMAL(12,2)) AS paid_amount,
             paid_date, currency
      FROM read_csv('testdata/invoices.csv', types = {'amount': 'VARCHAR', 'paid_amount': 'VARCHAR'}))
  TO 'testdata/typed/invoices.parquet' (FORMAT parquet);
"
# A copy of the shipments in row groups of 256 rows (DuckDB writes at least 2048 per group), so
# that tests cross row-group and read-slice boundaries. Needs pyarrow (PYTHON with it installed).
if [[ -n ${PYTHON:-} ]]; then
    "$PYTHON" - <<'PY'
import pyarrow.parquet as pq
t = pq.read_table("testdata/typed/shipments.parquet")
pq.write_table(t, "testdata/typed/shipments_groups.parquet", row_group_size=256)
PY
fi
