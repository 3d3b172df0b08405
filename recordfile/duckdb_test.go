package recordfile_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

// duckDBScript writes, with DuckDB, the records of the JSON Lines file
// argv[2] as Parquet in three ways: one file in row groups of 2,048 rows,
// with a column prime ignores; one file compressed with zstd where half
// the records give "correct" instead of "pred" and records without tags
// have a null list; and hive partitions by label, in folder argv[3].
const duckDBScript = `
import { DuckDBInstance } from '@duckdb/node-api';
const [src, out] = process.argv.slice(-2);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await db.connect();
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
await c.run('CREATE TABLE records AS SELECT * FROM read_json(' + quote(src) +
	", format = 'newline_delimited', columns = {id: 'VARCHAR', label: 'VARCHAR', pred: 'VARCHAR', tags: 'VARCHAR[]'})");
await c.run('COPY (SELECT id, 42 AS score, label, pred, tags FROM records) TO ' + quote(out + '/one.parquet') +
	' (FORMAT parquet, ROW_GROUP_SIZE 2048)');
await c.run('COPY (SELECT id, label, ' +
	'CASE WHEN right(id, 1) IN (\'0\', \'2\', \'4\', \'6\', \'8\') THEN pred END AS pred, ' +
	'CASE WHEN right(id, 1) NOT IN (\'0\', \'2\', \'4\', \'6\', \'8\') THEN pred = label END AS correct, ' +
	'CASE WHEN len(tags) > 0 THEN tags END AS tags FROM records) TO ' + quote(out + '/zstd.parquet') +
	' (FORMAT parquet, COMPRESSION zstd)');
await c.run('COPY records TO ' + quote(out + '/hive') + ' (FORMAT parquet, PARTITION_BY (label))');
`

// TestDuckDBParquet reads Parquet that an independent writer, DuckDB,
// writes from the same records, in three layouts, and finds the same data
// set, so the same modes, p, q and intervals, as from the JSON Lines.
// DuckDB comes from npm: scripts/duckdb.sh installs it and prints the
// folder to put in $PRIME_DUCKDB, as CI does.
func TestDuckDBParquet(t *testing.T) {
	dir := os.Getenv("PRIME_DUCKDB")
	if dir == "" {
		t.Skip("DuckDB not installed: export PRIME_DUCKDB=$(scripts/duckdb.sh) to read Parquet files DuckDB writes")
	}
	node, err := exec.LookPath("node")
	require.NoError(t, err, "PRIME_DUCKDB is set: Node.js runs DuckDB")

	records := synthRecords(t, synth.Config{Classes: 4, MinRecords: 900, MaxRecords: 1300, MinModeSize: 40, Seed: 21})
	records[0].Label = "a/b c%d=e ü" // escaped in its folder's name
	for i := 5; i < len(records); i += 97 {
		records[i].Tags = nil
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "records.jsonl")
	writeFile(t, src, jsonLines(t, records))
	cmd := exec.Command(node, "--input-type=module", "-e", duckDBScript, "--", src, tmp)
	cmd.Dir = dir // where node finds @duckdb/node-api
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "DuckDB: %s", out)

	want, err := prime.NewDataset(records)
	require.NoError(t, err)
	wantReport := report(t, want)
	require.Contains(t, wantReport, `"label"`, "the workload has modes")

	// The partitions' order: their folders', by name.
	folders, err := os.ReadDir(filepath.Join(tmp, "hive"))
	require.NoError(t, err)
	var labels []string
	for _, f := range folders {
		l, err := url.PathUnescape(strings.TrimPrefix(f.Name(), "label="))
		require.NoError(t, err)
		labels = append(labels, l)
	}
	require.Contains(t, labels, records[0].Label)
	partitioned := slices.SortedStableFunc(slices.Values(records), func(a, b prime.Record) int {
		return slices.Index(labels, a.Label) - slices.Index(labels, b.Label)
	})

	for _, tt := range []struct {
		name  string
		path  string
		order []prime.Record
	}{
		{"row groups, a column ignored", "one.parquet", records},
		{"zstd, correct for pred, null lists", "zstd.parquet", records},
		{"hive partitions", "hive", partitioned},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recordfile.ReadDataset(context.Background(), []string{filepath.Join(tmp, tt.path)}, nil)
			require.NoError(t, err)
			for i, r := range got.All() {
				w := tt.order[i]
				require.Equal(t, w.ID, r.ID)
				require.Equal(t, w.Label, r.Label)
				require.Equal(t, w.IsCorrect(), r.IsCorrect(), "record %s", r.ID)
				require.ElementsMatch(t, w.Tags, r.Tags, "record %s", r.ID)
			}
			require.Equal(t, len(records), got.Len())
			require.Equal(t, wantReport, report(t, got))
		})
	}
}
