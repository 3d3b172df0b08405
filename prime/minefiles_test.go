package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prime synth -format parquet writes the records that prime synth writes
// as JSON Lines, byte for byte the same for the same seed, and prime mine
// finds the same modes in either, and in any layout of them.
func TestSynthParquet(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-classes", "4", "-records", "400-700", "-seed", "4"}
	jsonl := filepath.Join(dir, "records.jsonl")
	pq := filepath.Join(dir, "records.parquet")
	code, _, stderr := runSynthCmd(t, append(args, "-o", jsonl)...)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = runSynthCmd(t, append(args, "-format", "parquet", "-o", pq)...)
	require.Equal(t, exitOK, code, stderr)
	code, stdout, stderr := runSynthCmd(t, append(args, "-format", "parquet")...)
	require.Equal(t, exitOK, code, stderr)
	data, err := os.ReadFile(pq)
	require.NoError(t, err)
	assert.Equal(t, string(data), stdout, "same seed, same bytes, to a file or standard output")
	assert.Equal(t, "PAR1", string(data[:4]))

	// The JSON Lines compressed with zstd, in two parts in a folder.
	text, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	lines := bytes.SplitAfter(text, []byte("\n"))
	half := len(lines) / 2
	parts := filepath.Join(dir, "parts")
	require.NoError(t, os.Mkdir(parts, 0o755))
	for i, part := range [][]byte{bytes.Join(lines[:half], nil), bytes.Join(lines[half:], nil)} {
		var buf bytes.Buffer
		zw, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		_, err = zw.Write(part)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(filepath.Join(parts, "part-"+string(rune('0'+i))+".json.zst"), buf.Bytes(), 0o644))
	}

	mine := []string{"mine", "-format", "jsonl", "-fdr", "1", "-bootstrap", "100"}
	code, want, stderr := runPrime(t, "", append(mine, jsonl)...)
	require.Equal(t, exitOK, code, stderr)
	require.NotEmpty(t, want)
	for name, in := range map[string][]string{
		"Parquet":           {pq},
		"zstd parts":        {parts},
		"glob":              {filepath.Join(parts, "part-*")},
		"Parquet on stdin":  {"-"},
		"several arguments": {filepath.Join(parts, "part-0.json.zst"), filepath.Join(parts, "part-1.json.zst")},
	} {
		t.Run(name, func(t *testing.T) {
			stdin := ""
			if in[0] == "-" {
				stdin = string(data)
			}
			code, got, stderr := runPrime(t, stdin, append(mine, in...)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, want, got)
		})
	}

	code, _, stderr = runSynthCmd(t, "-format", "csv")
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, `-format "csv": want jsonl or parquet`)
}

// A bad row of a Parquet file is reported with the file and the row, exit
// status 2.
func TestMineParquetBadRow(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "records.parquet")
	code, _, stderr := runSynthCmd(t, "-classes", "2", "-records", "300", "-format", "parquet", "-o", pq)
	require.Equal(t, exitOK, code, stderr)
	// The same file twice: every id repeats, first in the second file's
	// first row.
	other := filepath.Join(dir, "copy.parquet")
	data, err := os.ReadFile(pq)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(other, data, 0o644))
	code, stdout, stderr := runPrime(t, "", "mine", pq, other)
	assert.Equal(t, exitBad, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, other+`: row 1: field "id": repeated: "c0_000" first appears in `+pq+" row 1")
}
