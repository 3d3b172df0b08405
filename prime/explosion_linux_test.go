package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildPrime builds the command prime as a program of its own, without
// the race detector's memory, and returns its path.
func buildPrime(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("building prime needs the go command, which is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "prime")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// writeSharedTags writes a records file of n records of one class that all
// carry the same tags, every third one wrong: every set of those tags is
// frequent, and with thresholds of 0 every one is a failure mode.
func writeSharedTags(t *testing.T, path string, n, tags int) {
	t.Helper()
	names := make([]string, tags)
	for i := range names {
		names[i] = fmt.Sprintf("t%06d", i)
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range n {
		require.NoError(t, enc.Encode(map[string]any{"id": fmt.Sprint(i), "label": "x", "correct": i%3 != 0, "tags": names}))
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// TestMineTagSetExplosion runs prime mine, built as a program of its own,
// on records that share many tags, so that the sets of tags that can be
// frequent explode: it either finishes or exits 2 saying how many sets it
// would need, and its peak memory stays within -memory-limit either way.
func TestMineTagSetExplosion(t *testing.T) {
	bin := buildPrime(t)
	dir := t.TempDir()
	tests := []struct {
		name  string
		tags  int
		args  []string
		limit int64 // -memory-limit, as given in args or by default
		code  int
		want  string
		long  bool
	}{
		{"1,500 shared tags, pairs", 1500, []string{"-max-tags", "2"}, 4 << 30, exitOK,
			"40 records in 1 class, 1500 tags; 1125750 tag sets tested; no failure modes", false},
		{"1,500 shared tags, triples", 1500, nil, 4 << 30, exitOK,
			"40 records in 1 class, 1500 tags; 562501250 tag sets tested; no failure modes", true},
		{"1,500 shared tags, four at most", 1500, []string{"-max-tags", "4", "-memory-limit", "256MiB"}, 256 << 20, exitBad,
			`prime mine: class "x": mining: the search would keep up to 561375500 sets of 3 tags, 14.7 GiB of memory beyond the limit of 128.0 MiB`, false},
		{"100,000 shared tags", 100000, nil, 4 << 30, exitBad,
			`prime mine: class "x": mining: the search would keep up to 4999950000 sets of 2 tags, 130.4 GiB of memory beyond the limit of 2.0 GiB`, false},
		{"every set a mode", 300, []string{"-min-drop", "0", "-min-marginal-drop", "0", "-memory-limit", "256MiB"}, 256 << 20, exitBad,
			"failure modes found so far would take", false},
	}
	files := map[int]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("562 million sets of three tags")
			}
			in, ok := files[tt.tags]
			if !ok {
				in = filepath.Join(dir, fmt.Sprintf("shared%d.jsonl", tt.tags))
				writeSharedTags(t, in, 40, tt.tags)
				files[tt.tags] = in
			}
			cmd := exec.Command(bin, append(append([]string{"mine", "-min-size", "5", "-bootstrap", "0"}, tt.args...), in)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.code, code, "stderr: %s", stderr.String())
			assert.Contains(t, stdout.String()+stderr.String(), tt.want)
			if code == exitBad {
				assert.Contains(t, stderr.String(), "to search less, raise -min-size (now 5) or lower -max-tags")
				assert.Empty(t, stdout.String(), "nothing half written")
			}
			peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
			t.Logf("peak memory %d MiB of %d MiB", peak>>20, tt.limit>>20)
			assert.LessOrEqual(t, peak, tt.limit, "peak memory within -memory-limit")
		})
	}
}
