package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
)

// runSynthCmd runs prime synth in-process with args and returns its exit
// status and what it wrote.
func runSynthCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runPrime(t, "", append([]string{"synth"}, args...)...)
}

// readTruth reads a -truth file.
func readTruth(t *testing.T, path string) []synth.Planted {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var planted []synth.Planted
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p synth.Planted
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p), sc.Text())
		planted = append(planted, p)
	}
	require.NoError(t, sc.Err())
	return planted
}

// TestSynthPlantedModesFound generates workloads with prime synth and mines
// them at the default options, statistics included: every planted mode is
// reported with its counts, and modes that were not planted are rare.
func TestSynthPlantedModesFound(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		atLeast int // planted modes
	}{
		{"default", nil, 50},
		{"few thousand records", []string{"-classes", "5", "-records", "600", "-seed", "2"}, 8},
		{"record range", []string{"-classes", "8", "-records", "400-1300", "-seed", "3"}, 14},
		{"small vocabulary, few tags", []string{"-classes", "6", "-tags", "300", "-min-tags", "4", "-max-tags", "12", "-seed", "5"}, 15},
		{"strong modes", []string{"-classes", "3", "-records", "1300", "-mode-accuracy", "0-0.1", "-mode-size", "100-150", "-seed", "6"}, 5},
		{"clustered", []string{"-classes", "4", "-records", "1300", "-cluster", "0.9", "-topic-size", "12", "-seed", "7"}, 10},
		{"skewed, no topics", []string{"-classes", "4", "-records", "1300", "-cluster", "-1", "-skew", "2", "-seed", "8"}, 10},
		{"20,000 tags", []string{"-classes", "4", "-records", "1300", "-tags", "20000", "-seed", "9"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			records, truth := filepath.Join(dir, "records.jsonl"), filepath.Join(dir, "truth.jsonl")
			code, stdout, stderr := runSynthCmd(t, append(tt.args, "-o", records, "-truth", truth)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Empty(t, stdout)
			assert.Empty(t, stderr)
			planted := readTruth(t, truth)
			require.GreaterOrEqual(t, len(planted), tt.atLeast)

			report := analyzeFile(t, records)

			found := map[string]*prime.FailureMode{}
			for i := range report.Modes {
				m := &report.Modes[i]
				found[m.Label+"\x00"+strings.Join(m.Tags, "\x00")] = m
			}
			isPlanted := map[string]bool{}
			for _, p := range planted {
				isPlanted[p.Label+"\x00"+strings.Join(p.Tags, "\x00")] = true
			}
			for k, m := range found {
				if !isPlanted[k] {
					t.Logf("not planted: %v (q %.3g)", m, m.Q)
				}
			}
			for _, p := range planted {
				m := found[p.Label+"\x00"+strings.Join(p.Tags, "\x00")]
				if !assert.NotNil(t, m, "planted mode %s %v not found", p.Label, p.Tags) {
					continue
				}
				assert.Equal(t, p.N, m.N, "%s %v", p.Label, p.Tags)
				assert.Equal(t, p.Accuracy, m.Accuracy, "%s %v", p.Label, p.Tags)
				assert.LessOrEqual(t, m.Q, 0.05)
			}
			extra := len(report.Modes) - len(planted)
			t.Logf("%d records, %d planted, %d modes reported", report.Records, len(planted), len(report.Modes))
			assert.LessOrEqual(t, extra, max(1, len(planted)/20), "modes not planted")
		})
	}
}

// TestSynthNull checks -null: nothing planted, a records file that mines.
func TestSynthNull(t *testing.T) {
	dir := t.TempDir()
	truth := filepath.Join(dir, "truth.jsonl")
	code, stdout, stderr := runSynthCmd(t, "-null", "-classes", "4", "-records", "700", "-truth", truth)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, readTruth(t, truth))
	d, err := prime.ReadDataset(strings.NewReader(stdout), "stdin")
	require.NoError(t, err)
	assert.Equal(t, 2800, d.Len())
	assert.Len(t, d.Labels(), 4)
}

// TestSynthOutput checks that standard output and -o write the same bytes,
// that the same seed gives the same file and another seed another, and
// that -o replaces a file whole.
func TestSynthOutput(t *testing.T) {
	args := []string{"-classes", "3", "-records", "300-500", "-seed", "9"}
	code, a, stderr := runSynthCmd(t, args...)
	require.Equal(t, exitOK, code, stderr)
	require.NotEmpty(t, a)
	_, b, _ := runSynthCmd(t, args...)
	assert.Equal(t, a, b, "same seed, same bytes")
	_, c, _ := runSynthCmd(t, "-classes", "3", "-records", "300-500", "-seed", "10")
	assert.NotEqual(t, a, c, "another seed")

	dir := t.TempDir()
	path := filepath.Join(dir, "out.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("old contents, longer than nothing\n"), 0o644))
	code, stdout, stderr := runSynthCmd(t, append(args, "-o", path)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, a, string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// A file that cannot be written leaves nothing behind and exits 2.
	code, _, stderr = runSynthCmd(t, append(args, "-o", filepath.Join(dir, "missing", "out.jsonl"))...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime synth: ")
}

func TestSynthHelp(t *testing.T) {
	code, stdout, stderr := runSynthCmd(t, "-h")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "usage: prime synth [flags]")
	for _, flag := range []string{"-classes", "-records", "-tags", "-min-tags", "-max-tags", "-cluster", "-topic-size", "-skew", "-modes", "-seed", "-null", "-truth", "-o"} {
		assert.Regexp(t, `(?m)^  `+flag+`( |$)`, stderr)
	}
}

func TestSynthBadFlags(t *testing.T) {
	testBadArgs(t, "synth", nil, []badArgs{
		{[]string{"-classes", "0"}, "-classes 0 out of range: want 1 to 100000"},
		{[]string{"-classes", "100001"}, "-classes 100001 out of range: want 1 to 100000"},
		{[]string{"-records", "0"}, "-records 0 out of range: want N or LO-HI, 1 ≤ LO ≤ HI ≤ 10000000"},
		{[]string{"-records", "500-100"}, "-records 500-100 out of range: want N or LO-HI"},
		{[]string{"-records", "many"}, "-records many out of range"},
		{[]string{"-tags", "10"}, "-tags 10 out of range: want 56 to 1000000"},
		{[]string{"-tags", "1000001"}, "-tags 1000001 out of range: want 56 to 1000000"},
		{[]string{"-cluster", "1"}, "-cluster 1 out of range: want -1 to 0.99"},
		{[]string{"-cluster", "-2"}, "-cluster -2 out of range: want -1 to 0.99"},
		{[]string{"-topic-size", "1"}, "-topic-size 1 out of range: want 2 to 100"},
		{[]string{"-skew", "0.05"}, "-skew 0.05 out of range: want 0.1 to 4, or 0"},
		{[]string{"-skew", "NaN"}, "-skew NaN out of range: want 0.1 to 4, or 0"},
		{[]string{"-max-tags", "0"}, "-max-tags 0 out of range: want 1 to 1000"},
		{[]string{"-max-tags", "1001"}, "-max-tags 1001 out of range: want 1 to 1000"},
		{[]string{"-min-tags", "0"}, "-min-tags 0 out of range: want 1 to 25 (-max-tags)"},
		{[]string{"-min-tags", "30"}, "-min-tags 30 out of range: want 1 to 25 (-max-tags)"},
		{[]string{"-modes", "-1"}, "-modes -1 out of range: want 0 to 12"},
		{[]string{"-modes", "13"}, "-modes 13 out of range: want 0 to 12"},
		{[]string{"-accuracy", "1.5"}, "-accuracy 1.5 out of range: want A or LO-HI, 0 ≤ LO ≤ HI ≤ 1"},
		{[]string{"-accuracy", "0.9-0.8"}, "-accuracy 0.9-0.8 out of range"},
		{[]string{"-mode-accuracy", "0.3-0.6"}, "-mode-accuracy 0.3-0.6 out of range: want at most 0.5: -accuracy's LO (0.8) − 0.3"},
		{[]string{"-mode-size", "0"}, "-mode-size 0 out of range: want N or LO-HI, 1 ≤ LO ≤ HI ≤ 10000000"},
		{[]string{"-seed", "-1"}, "invalid value"},
		{[]string{"-unknown"}, "flag provided but not defined: -unknown"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	})
}

// TestSynthCancelled checks that a cancelled run stops and leaves no file.
func TestSynthCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb},
		[]string{"synth", "-classes", "10", "-o", filepath.Join(dir, "r.jsonl")})
	assert.Equal(t, exitBad, code)
	assert.Contains(t, errb.String(), "context canceled")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
